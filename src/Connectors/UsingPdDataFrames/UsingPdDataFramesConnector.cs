using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Data.Analysis;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.UsingPdDataFrames;

/// <summary>
/// Users from randomuser.me shaped into DataFrames (Microsoft.Data.Analysis, where the original uses pandas): a profile, a
/// location and a login frame written three ways, and a frame whose missing values must reach the destination as NULL.
/// </summary>
[Connector("using_pd_dataframes", Description = "API users shaped into DataFrames, written three ways; missing values as NULL.")]
public sealed partial class UsingPdDataFramesConnector : Connector
{
    private const string DefaultBaseUrl = "https://randomuser.me/";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition("profile") { PrimaryKey = ["id"], Columns = new Dictionary<string, ColumnType> { ["picture"] = ColumnType.Json } },
        new TableDefinition("location") { PrimaryKey = ["profileId"] },
        new TableDefinition("login") { PrimaryKey = ["profileId"] },
        new TableDefinition("table_with_nan") { PrimaryKey = ["id"] },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var count = configuration.GetInt32("profiles_per_sync", 2);
        if (count is < 1 or > 5000)
        {
            throw new ConfigurationException($"Configuration key 'profiles_per_sync' must be between 1 and 5000; got {count}.");
        }

        var state = context.ReadState<DataFramesState>();
        var users = await FetchUsersAsync(context, state.ProfileCursor, count, cancellationToken);
        var (profile, location, login) = UserFrames.Build(users, state.ProfileCursor + 1);
        var cursor = state.ProfileCursor + count;
        LogFetched(context.Logger, users.Count, cursor);

        await WriteByRowAsync(context, profile, state, cursor, cancellationToken);
        await WriteByRecordAsync(context, location, state, cursor, cancellationToken);
        await WriteByColumnAsync(context, login, state, cursor, cancellationToken);
        await WriteWithMissingValuesAsync(context, state, cancellationToken);
    }

    // randomuser.me returns the same users for the same seed and page, so user N of the connection is page N of its seed:
    // each sync asks for the pages after the cursor, one user each, as the original makes one call per user.
    private static async Task<IReadOnlyList<RandomUser>> FetchUsersAsync(SyncContext context, long cursor, int count, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var baseUrl = configuration.GetUri("base_url", DefaultBaseUrl);
        var options = new RestClientOptions { BaseAddress = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/") };
        using var client = new RestClient(context, options);
        var seed = configuration.GetString("seed", "tributary");
        var users = new List<RandomUser>(count);
        for (var page = cursor + 1; page <= cursor + count; page++)
        {
            var request = new RestRequest("api/") { RecordsPath = "results" };
            request.Query["results"] = "1";
            request.Query["seed"] = seed;
            request.Query["page"] = page.ToString(CultureInfo.InvariantCulture);
            await foreach (var user in client.GetRecordsAsync<RandomUser>(request, cancellationToken: cancellationToken))
            {
                users.Add(user);
            }
        }

        return users;
    }

    // Approach 1 (pandas' iterrows): row by row, reading each cell by position, with a checkpoint every five rows.
    private static async Task WriteByRowAsync(SyncContext context, DataFrame profile, DataFramesState state, long cursor, CancellationToken cancellationToken)
    {
        var index = 0;
        foreach (var row in profile.Rows)
        {
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var column = 0; column < profile.Columns.Count; column++)
            {
                values[profile.Columns[column].Name] = row[column];
            }

            await context.UpsertAsync("profile", values, cancellationToken);
            if (index++ % 5 == 0)
            {
                state.ProfileCursor = (long)row[0];
                await context.CheckpointAsync(state, cancellationToken);
            }
        }

        state.ProfileCursor = cursor;
        await context.CheckpointAsync(state, cancellationToken);
    }

    // Approach 2 (pandas' to_dict("records")): the frame as a sequence of column-name → value records.
    private static async Task WriteByRecordAsync(SyncContext context, DataFrame location, DataFramesState state, long cursor, CancellationToken cancellationToken)
    {
        foreach (var record in UserFrames.Records(location))
        {
            await context.UpsertAsync("location", record, cancellationToken);
        }

        state.LocationCursor = cursor;
        await context.CheckpointAsync(state, cancellationToken);
    }

    // Approach 3 (pandas' to_dict("index")): cells read through the frame's named columns, row index by row index.
    private static async Task WriteByColumnAsync(SyncContext context, DataFrame login, DataFramesState state, long cursor, CancellationToken cancellationToken)
    {
        for (var row = 0L; row < login.Rows.Count; row++)
        {
            await context.UpsertAsync(
                "login",
                new { profileId = login["profileId"][row], uuid = login["uuid"][row], username = login["username"][row], password = login["password"][row] },
                cancellationToken);
        }

        state.LoginCursor = cursor;
        await context.CheckpointAsync(state, cancellationToken);
    }

    private static async Task WriteWithMissingValuesAsync(SyncContext context, DataFramesState state, CancellationToken cancellationToken)
    {
        foreach (var record in UserFrames.Records(UserFrames.WithMissingValues()))
        {
            await context.UpsertAsync("table_with_nan", record, cancellationToken);
            state.TableWithNanCursor++;
        }

        await context.CheckpointAsync(state, cancellationToken);
    }

    [LoggerMessage(EventId = 2320, Level = LogLevel.Information, Message = "Fetched {Count} users; the profile cursor moves to {Cursor}")]
    private static partial void LogFetched(ILogger logger, int count, long cursor);
}

/// <summary>The original's state: a cursor per table.</summary>
internal sealed class DataFramesState
{
    [JsonPropertyName("profile_cursor")]
    public long ProfileCursor { get; set; }

    [JsonPropertyName("location_cursor")]
    public long LocationCursor { get; set; }

    [JsonPropertyName("login_cursor")]
    public long LoginCursor { get; set; }

    [JsonPropertyName("table_with_nan_cursor")]
    public long TableWithNanCursor { get; set; }
}
