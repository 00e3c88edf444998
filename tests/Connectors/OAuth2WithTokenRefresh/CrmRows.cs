using Tributary.Sdk.Testing;

namespace Tributary.Connectors.Tests.OAuth2WithTokenRefresh;

/// <summary>The <c>contacts</c> and <c>companies</c> tables read back in the shape of <see cref="HubSpotCrm"/>'s expectations.</summary>
public static class CrmRows
{
    public static async Task<IReadOnlyList<(long Vid, string FirstName, string Company, string Email, string LastModified)>> ContactsAsync(ConnectorHarness harness) =>
        [.. (await harness.RowsAsync("contacts", "vid")).Select(r =>
            ((long)r["vid"]!, (string)r["firstname"]!, (string)r["company"]!, (string)r["email"]!, (string)r["lastmodifieddate"]!))];

    public static async Task<IReadOnlyList<(long CompanyId, string Name, long Timestamp)>> CompaniesAsync(ConnectorHarness harness) =>
        [.. (await harness.RowsAsync("companies", "company_id")).Select(r => ((long)r["company_id"]!, (string)r["name"]!, (long)r["timestamp"]!))];
}
