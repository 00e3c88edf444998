using System.Globalization;
using System.Text.Json.Serialization;
using CsvHelper;
using Microsoft.Extensions.Logging;
using Tributary.Connectors.Playground;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.ExportCsv;

/// <summary>
/// A CSV export read as a stream: <c>GET export/csv?updated_since=</c> through the toolkit (retries, limits), its body handed
/// to CsvHelper line by line, each user upserted as it is read and the cursor checkpointed every N lines, so the file is
/// never held whole.
/// </summary>
[Connector("export_csv", Description = "A CSV export endpoint streamed with CsvHelper, an updatedAt cursor checkpointed as it goes.")]
public sealed partial class ExportCsvConnector : Connector
{
    private const string Table = PlaygroundUsers.Table;

    // A line with too few or too many fields, or broken quoting, is an error, not a row of empty values.
    private static readonly CsvReaderOptions Csv = new()
    {
        FieldCountMismatch = CsvFieldCountHandling.Throw,
        MalformedData = CsvMalformedDataHandling.Throw,
        MissingField = CsvMissingFieldHandling.Throw,
        TrackLineNumbers = true,
    };

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => PlaygroundUsers.Schema;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var checkpointEvery = configuration.GetInt32("checkpoint_every", 1000);
        if (checkpointEvery < 1)
        {
            throw new ConfigurationException($"Configuration key 'checkpoint_every' must be a positive integer; got {checkpointEvery}.");
        }

        var state = context.ReadState<ExportCsvState>();
        var options = new RestClientOptions { BaseAddress = PlaygroundUsers.BaseAddress(configuration) };
        options.Headers["Accept"] = "text/csv";
        using var client = new RestClient(context, options);

        var request = new RestRequest("export/csv");
        if (state.LastUpdatedAt is not null)
        {
            // Inclusive: lines that share the cursor's time are read again, and their upserts change nothing.
            request.Query["updated_since"] = state.LastUpdatedAt;
        }

        using var response = await client.SendAsync(request, cancellationToken);
        var uri = response.RequestMessage?.RequestUri ?? new Uri(client.BaseAddress, request.Path);
        LogExporting(context.Logger, uri, state.LastUpdatedAt);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var csv = CsvReader.Create(body, Csv, leaveOpen: false);

        var lines = 0;
        await using var enumerator = csv.GetRecordsAsync<ExportedUser>(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await NextAsync(enumerator, uri))
        {
            var user = enumerator.Current;
            await context.UpsertAsync(
                Table,
                new { id = user.Id, name = user.Name, email = user.Email, address = user.Address, company = user.Company, job = user.Job, updatedAt = user.UpdatedAt, createdAt = user.CreatedAt },
                cancellationToken);
            state.LastUpdatedAt = user.UpdatedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
            if (++lines % checkpointEvery == 0)
            {
                await context.CheckpointAsync(state, cancellationToken);
            }
        }

        await context.CheckpointAsync(state, cancellationToken);
        LogExported(context.Logger, lines, state.LastUpdatedAt);
    }

    // A line CsvHelper cannot read fails the sync with the URL and the line, keeping what was checkpointed before it.
    private static async Task<bool> NextAsync(IAsyncEnumerator<ExportedUser> enumerator, Uri uri)
    {
        try
        {
            return await enumerator.MoveNextAsync();
        }
        catch (CsvFormatException ex)
        {
            throw new InvalidDataException($"GET {uri}: the CSV export is malformed at line {ex.LineNumber}: {FirstLine(ex.Message)}", ex);
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    [LoggerMessage(EventId = 2330, Level = LogLevel.Information, Message = "Exporting {Uri} (updated since {UpdatedSince})")]
    private static partial void LogExporting(ILogger logger, Uri uri, string? updatedSince);

    [LoggerMessage(EventId = 2331, Level = LogLevel.Information, Message = "Read {Lines} lines of the export; the cursor is {LastUpdatedAt}")]
    private static partial void LogExported(ILogger logger, int lines, string? lastUpdatedAt);
}

/// <summary>Where the next export starts: the <c>updatedAt</c> of the last line written.</summary>
internal sealed class ExportCsvState
{
    [JsonPropertyName("last_updated_at")]
    public string? LastUpdatedAt { get; set; }
}
