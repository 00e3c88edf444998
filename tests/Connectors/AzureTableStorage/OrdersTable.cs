using System.Globalization;
using Azure.Data.Tables;
using Azure.Data.Tables.Sas;

namespace Tributary.Connectors.Tests.AzureTableStorage;

/// <summary>A table of orders in Azurite, written through Azure.Data.Tables as an application would.</summary>
internal sealed class OrdersTable
{
    private readonly TableClient _client;

    private OrdersTable(TableClient client) => _client = client;

    public string Name => _client.Name;

    public static async Task<OrdersTable> CreateAsync(string connectionString, int orders)
    {
        var table = new OrdersTable(new TableClient(connectionString, $"orders{Guid.NewGuid():N}"[..18]));
        await table._client.CreateAsync();
        for (var n = 1; n <= orders; n++)
        {
            await table.PutAsync(n, $"customer {n}");
        }

        return table;
    }

    public static string RowKey(int n) => $"o-{n:D3}";

    public static string PartitionKey(int n) => n % 2 == 0 ? "north" : "south";

    /// <summary>Inserts or replaces order <paramref name="n"/>: every Edm type a property can have.</summary>
    public Task PutAsync(int n, string customer) => _client.UpsertEntityAsync(
        new TableEntity(PartitionKey(n), RowKey(n))
        {
            ["Customer"] = customer,
            ["Amount"] = 10.5 * n,
            ["Quantity"] = n,
            ["TotalCents"] = 10_000_000_000L + n,
            ["Shipped"] = n % 3 == 0,
            ["ShippedAt"] = new DateTimeOffset(2024, 9, 1, 8, 30, 0, TimeSpan.Zero).AddDays(n),
            ["Reference"] = new Guid(n, 0, 0, [0, 0, 0, 0, 0, 0, 0, 1]),
            ["Payload"] = new byte[] { 7, (byte)n },
        },
        TableUpdateMode.Replace);

    public Task DeleteAsync(int n) => _client.DeleteEntityAsync(PartitionKey(n), RowKey(n));

    /// <summary>Every entity's Timestamp, as the service set it.</summary>
    public async Task<List<DateTimeOffset>> TimestampsAsync()
    {
        var timestamps = new List<DateTimeOffset>();
        await foreach (var entity in _client.QueryAsync<TableEntity>(select: ["Timestamp"]))
        {
            timestamps.Add(entity.Timestamp!.Value);
        }

        return timestamps;
    }

    /// <summary>A SAS token for this table that allows reading (query) only.</summary>
    public string ReadOnlySas() =>
        _client.GenerateSasUri(TableSasPermissions.Read, DateTimeOffset.Parse("2099-01-01T00:00:00Z", CultureInfo.InvariantCulture)).Query.TrimStart('?');

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>One setting of an Azure Storage connection string (<c>AccountName</c>, <c>AccountKey</c>, <c>TableEndpoint</c>).</summary>
    public static string Setting(string connectionString, string name) =>
        connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .Single(pair => pair[0] == name)[1];

}
