using System.Globalization;
using System.Text.Json.Nodes;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.OAuth2WithTokenRefresh;

/// <summary>
/// HubSpot's legacy contacts API (v1): every contact through <c>lists/all/contacts/all</c> (<c>vidOffset</c> /
/// <c>has-more</c>), or the changed ones through <c>lists/recently_updated/contacts/recent</c>, newest first, paged by
/// <c>timeOffset</c> and <c>vidOffset</c> together, read back until the cursor.
/// </summary>
internal sealed class HubSpotContacts(RestClient client, SyncContext context, int pageSize)
{
    public const string Table = "contacts";

    public async Task SyncAllAsync(HubSpotState state, CancellationToken cancellationToken)
    {
        var request = new RestRequest("contacts/v1/lists/all/contacts/all") { RecordsPath = "contacts" };
        request.Query["count"] = pageSize.ToString(CultureInfo.InvariantCulture);
        var paginator = new KeysetPaginator { CursorParameter = "vidOffset", CursorPath = "vid-offset", HasMorePath = "has-more" };
        await foreach (var page in client.GetPagesAsync(request, paginator, cancellationToken))
        {
            foreach (var contact in page.Records)
            {
                await UpsertAsync(contact, cancellationToken);
            }

            // Commits the page; the cursor stays where it was until both tables are complete.
            await context.CheckpointAsync(state, cancellationToken);
        }
    }

    public async Task SyncChangedAsync(long since, HubSpotState state, CancellationToken cancellationToken)
    {
        (string Time, string Vid)? offset = null;
        var more = true;
        while (more)
        {
            var request = new RestRequest("contacts/v1/lists/recently_updated/contacts/recent") { RecordsPath = "contacts" };
            request.Query["count"] = pageSize.ToString(CultureInfo.InvariantCulture);
            if (offset is { } next)
            {
                request.Query["timeOffset"] = next.Time;
                request.Query["vidOffset"] = next.Vid;
            }

            await foreach (var page in client.GetPagesAsync(request, paginator: null, cancellationToken))
            {
                foreach (var contact in page.Records)
                {
                    if (LastModified(contact) < since)
                    {
                        // Newest first: everything from here on was synced before.
                        more = false;
                        break;
                    }

                    await UpsertAsync(contact, cancellationToken);
                }

                more = more && page.Envelope["has-more"]?.GetValue<bool>() == true;
                offset = (page.Envelope["time-offset"]?.ToString() ?? "", page.Envelope["vid-offset"]?.ToString() ?? "");
                await context.CheckpointAsync(state, cancellationToken);
            }
        }
    }

    /// <summary>Upserts the columns the original example keeps, skipping contacts without a first name or an identity.</summary>
    private ValueTask UpsertAsync(JsonObject contact, CancellationToken cancellationToken)
    {
        var properties = contact["properties"]?.AsObject();
        var identity = contact["identity-profiles"]?.AsArray().FirstOrDefault()?["identities"]?.AsArray().FirstOrDefault();
        if (properties?["firstname"] is null || identity is null)
        {
            return ValueTask.CompletedTask;
        }

        return context.UpsertAsync(
            Table,
            new JsonObject
            {
                ["vid"] = contact["vid"]?.DeepClone(),
                ["firstname"] = Value(properties, "firstname"),
                ["company"] = Value(properties, "company"),
                ["lastmodifieddate"] = Value(properties, "lastmodifieddate"),
                ["email"] = identity["value"]?.GetValue<string>() ?? "",
            },
            cancellationToken);
    }

    private static long LastModified(JsonObject contact) =>
        long.TryParse(Value(contact["properties"]?.AsObject(), "lastmodifieddate"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? ms
            : long.MaxValue;

    private static string Value(JsonObject? properties, string name) => properties?[name]?["value"]?.GetValue<string>() ?? "";
}
