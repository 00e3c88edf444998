using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.VeevaVault;

/// <summary>
/// Vault objects read with VQL: each configured object's fields come from <c>configuration/Objecttype</c>, its records
/// from <c>POST /query</c> and then <c>responseDetails.next_page</c>, incrementally by <c>modified_date__v</c> with one
/// cursor per object.
/// </summary>
[Connector("veeva_vault", Description = "Veeva Vault objects by VQL, incrementally by modified_date__v, one cursor per object.")]
public sealed partial class VeevaVaultConnector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        VeevaVaultSettings.Read(configuration).Objects.Select(name => new TableDefinition(name) { PrimaryKey = ["id"] });

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = VeevaVaultSettings.Read(context.Configuration);
        var state = context.ReadState<Dictionary<string, string>>();
        var password = await context.GetSecretAsync("password", cancellationToken);
        using var vault = new VaultSession(context, settings.ApiRoot, settings.UserName, password);

        var fields = await ObjectFieldsAsync(vault, cancellationToken);
        foreach (var objectName in settings.Objects)
        {
            if (!fields.TryGetValue(objectName, out var objectFields))
            {
                throw new ConfigurationException(
                    $"Configuration key 'objects' lists '{objectName}', which this Vault does not have; it has: {string.Join(", ", fields.Keys.Order(StringComparer.Ordinal))}.");
            }

            // The next cursor is this object's start time: anything modified while it is read is read again next time.
            var started = context.TimeProvider.GetUtcNow().ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var cursorKey = objectName + "_cursor";
            var query = $"SELECT {string.Join(", ", objectFields)} FROM {objectName}"
                + (state.TryGetValue(cursorKey, out var cursor) ? $" WHERE modified_date__v > '{cursor}'" : "")
                + $" PAGESIZE {settings.PageSize.ToString(CultureInfo.InvariantCulture)}";
            LogQuery(context.Logger, query);

            var request = new RestRequest("query") { Method = HttpMethod.Post, FormBody = new Dictionary<string, string> { ["q"] = query } };
            request.Headers["X-VaultAPI-DescribeQuery"] = "true";
            var records = 0;
            while (true)
            {
                var page = await vault.SendAsync(request, cancellationToken);
                foreach (var record in page["data"]?.AsArray() ?? [])
                {
                    await context.UpsertAsync(objectName, VaultRows.From((JsonObject)record!), cancellationToken);
                    records++;
                }

                // The page's rows are committed; the object's cursor moves only once its last page is read.
                await context.CheckpointAsync(state, cancellationToken);
                if (page["responseDetails"]?["next_page"]?.GetValue<string>() is not { Length: > 0 } next)
                {
                    break;
                }

                request = new RestRequest(next);
            }

            state[cursorKey] = started;
            await context.CheckpointAsync(state, cancellationToken);
            LogObjectDone(context.Logger, objectName, records);
        }
    }

    // Objecttype lists each object once per object type; an object's fields are the union over its types.
    private static async Task<Dictionary<string, List<string>>> ObjectFieldsAsync(VaultSession vault, CancellationToken cancellationToken)
    {
        var body = await vault.SendAsync(new RestRequest("configuration/Objecttype"), cancellationToken);
        var fields = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var type in body["data"]?.AsArray() ?? [])
        {
            var objectName = type?["object"]?.GetValue<string>();
            if (objectName is null)
            {
                continue;
            }

            var list = fields.TryGetValue(objectName, out var known) ? known : fields[objectName] = [];
            foreach (var field in type!["type_fields"]?.AsArray() ?? [])
            {
                if (field?["name"]?.GetValue<string>() is { } name && !list.Contains(name))
                {
                    list.Add(name);
                }
            }
        }

        return fields;
    }

    [LoggerMessage(EventId = 2420, Level = LogLevel.Information, Message = "VQL: {Query}")]
    private static partial void LogQuery(ILogger logger, string query);

    [LoggerMessage(EventId = 2422, Level = LogLevel.Information, Message = "Object {ObjectName}: {Records} records synced")]
    private static partial void LogObjectDone(ILogger logger, string objectName, int records);
}
