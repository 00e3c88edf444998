using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.LargeDataSet;

/// <summary>
/// A large list read in bounded memory: PokeAPI's <c>/pokemon</c> list, followed page by page through its <c>next</c> URL,
/// each record streamed from the response and a checkpoint of the offset every <c>checkpoint_every</c> records, so neither a
/// long list nor one huge page is ever held whole, and a sync that stops resumes at the last checkpoint.
/// </summary>
[Connector("large_data_set", Description = "A long paginated list streamed record by record, the offset checkpointed every N records.")]
public sealed partial class LargeDataSetConnector : Connector
{
    private const string Table = "pokemons";
    private const string DefaultBaseUrl = "https://pokeapi.co/api/v2/";

    /// <summary>Declares no table: as in the original, <c>pokemons</c> is created from its rows, keyless.</summary>
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => [];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var pageSize = Positive(configuration, "page_size", 100);
        var checkpointEvery = Positive(configuration, "checkpoint_every", 100);
        var state = context.ReadState<LargeDataSetState>();
        LogStarting(context.Logger, state.Offset, pageSize);

        using var client = new RestClient(context, new RestClientOptions { BaseAddress = configuration.GetUri("base_url", DefaultBaseUrl) });
        var request = new RestRequest("pokemon") { RecordsPath = "results" };
        request.Query["offset"] = state.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Query["limit"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // The list only grows at its end, so the offset reached is where the next sync starts: it asks only for new entries.
        var sinceCheckpoint = 0;
        await foreach (var pokemon in client.GetRecordsAsync<Pokemon>(request, new NextUrlPaginator { NextUrlPath = "next" }, cancellationToken))
        {
            await context.UpsertAsync(Table, new { name = pokemon.Name, url = pokemon.Url }, cancellationToken);
            state.Offset++;
            if (++sinceCheckpoint == checkpointEvery)
            {
                await context.CheckpointAsync(state, cancellationToken);
                sinceCheckpoint = 0;
            }
        }

        await context.CheckpointAsync(state, cancellationToken);
        LogFinished(context.Logger, state.Offset);
    }

    private static int Positive(ConnectorConfiguration configuration, string key, int defaultValue)
    {
        var value = configuration.GetInt32(key, defaultValue);
        return value > 0 ? value : throw new ConfigurationException($"Configuration key '{key}' must be a positive integer; got {value}.");
    }

    [LoggerMessage(EventId = 2310, Level = LogLevel.Information, Message = "Reading the list from offset {Offset}, {PageSize} per page")]
    private static partial void LogStarting(ILogger logger, long offset, int pageSize);

    [LoggerMessage(EventId = 2311, Level = LogLevel.Information, Message = "Read the list up to offset {Offset}")]
    private static partial void LogFinished(ILogger logger, long offset);
}

/// <summary>The original's state: how many entries of the list have been written.</summary>
internal sealed class LargeDataSetState
{
    [JsonPropertyName("offset")]
    public long Offset { get; set; }
}

/// <summary>One entry of PokeAPI's named-resource list.</summary>
internal sealed record Pokemon(string Name, string Url);
