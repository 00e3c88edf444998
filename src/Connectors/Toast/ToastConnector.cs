using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.Toast;

/// <summary>
/// Toast restaurants, their configuration, employees and orders (with checks, selections and payments), read in time
/// windows of at most 30 days from the last sync's end to now, with a machine client's login token.
/// </summary>
[Connector("toast", Description = "Toast restaurants, configuration, employees and orders in windows of at most 30 days.")]
public sealed partial class ToastConnector : Connector
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(30);

    // Configuration endpoints read once per sync, with lastModified = the first window's start.
    private static readonly (string Path, string Table)[] ConfigEndpoints =
    [
        ("config/v2/diningOptions", "dining_option"),
        ("config/v2/revenueCenters", "revenue_center"),
        ("config/v2/serviceAreas", "service_area"),
    ];

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition("restaurant") { PrimaryKey = ["id"] },
        new TableDefinition("employee") { PrimaryKey = ["id"] },
        new TableDefinition("dining_option") { PrimaryKey = ["id"], Columns = new Dictionary<string, ColumnType> { ["curbside"] = ColumnType.Boolean } },
        new TableDefinition("revenue_center") { PrimaryKey = ["id"] },
        new TableDefinition("service_area") { PrimaryKey = ["id"] },
        new TableDefinition("orders") { PrimaryKey = ["id"], Columns = Times("openedDate", "modifiedDate", "createdDate", "closedDate") },
        new TableDefinition("orders_check") { PrimaryKey = ["id"], Columns = Times("openedDate", "modifiedDate", "createdDate", "closedDate") },
        new TableDefinition("orders_check_selection") { PrimaryKey = ["id", "orders_check_id"] },
        new TableDefinition("orders_check_payment") { PrimaryKey = ["orders_check_id", "payment_id", "orders_guid"] },
        new TableDefinition("payment") { PrimaryKey = ["id"], Columns = Times("paidDate") },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = ToastSettings.Read(context.Configuration);
        var state = context.ReadState<ToastState>();
        var clientSecret = await context.GetSecretAsync("clientSecret", cancellationToken);
        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = settings.BaseUrl,
            Authenticator = new SessionTokenAuthenticator(new ToastLogin(settings, clientSecret).LoginAsync),
        });

        var now = context.TimeProvider.GetUtcNow().ToUniversalTime();
        var from = state.ToTs is null ? settings.InitialSyncStart : DateTimeOffset.Parse(state.ToTs, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var restaurants = new List<string>();
        await foreach (var restaurant in client.GetRecordsAsync(new RestRequest("partners/v1/restaurants"), cancellationToken: cancellationToken))
        {
            var row = new JsonObject();
            foreach (var (name, value) in restaurant)
            {
                row[name switch { "restaurantGuid" => "id", "restaurantName" => "name", _ => name }] = value?.DeepClone();
            }

            var id = row["id"]!.GetValue<string>();
            await context.UpsertAsync("restaurant", row, cancellationToken);
            if (row["deleted"]?.GetValue<bool>() == true)
            {
                await context.DeleteAsync("restaurant", new JsonObject { ["id"] = id }, cancellationToken);
            }
            else
            {
                restaurants.Add(id);
            }
        }

        var firstWindow = true;
        do
        {
            // A backfill is read 30 days at a time, each window committed with its end, as the original does.
            var to = now - from > MaxWindow ? from + MaxWindow : now;
            LogWindow(context.Logger, from, to);
            foreach (var restaurant in restaurants)
            {
                var reader = new ToastReader(context, client, restaurant, state);
                if (firstWindow)
                {
                    foreach (var (path, table) in ConfigEndpoints)
                    {
                        await reader.ConfigAsync(path, table, from.ToString(TimeFormat, CultureInfo.InvariantCulture), cancellationToken);
                    }

                    await reader.EmployeesAsync(cancellationToken);
                }

                await reader.OrdersAsync(from.ToString(TimeFormat, CultureInfo.InvariantCulture), to.ToString(TimeFormat, CultureInfo.InvariantCulture), settings.PageSize, cancellationToken);
            }

            state.ToTs = to.ToString(TimeFormat, CultureInfo.InvariantCulture);
            await context.CheckpointAsync(state, cancellationToken);
            from = to;
            firstWindow = false;
        }
        while (from < now);
    }

    private static Dictionary<string, ColumnType> Times(params string[] columns) =>
        columns.ToDictionary(c => c, _ => ColumnType.UtcDateTime, StringComparer.Ordinal);

    [LoggerMessage(EventId = 2440, Level = LogLevel.Information, Message = "Reading Toast from {From} to {To}")]
    private static partial void LogWindow(ILogger logger, DateTimeOffset from, DateTimeOffset to);
}
