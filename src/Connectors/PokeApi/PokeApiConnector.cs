using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.PokeApi;

/// <summary>
/// Pokémon from PokeAPI in four tables, written by following <c>docs/ai/README.md</c>: each sync reads one page of
/// <c>/pokemon</c> from the offset in state, then every listed Pokémon's detail, which becomes a <c>pokemon</c> row and its
/// <c>pokemon_types</c>, <c>pokemon_abilities</c> and <c>pokemon_stats</c> rows. The offset is checkpointed every ten Pokémon;
/// once the whole list has been read it returns to 0, so the walk starts over and picks up what changed.
/// </summary>
[Connector("pokeapi", Description = "Pokémon from PokeAPI in four tables, a page of the list per sync, the offset checkpointed every ten (the Claude-written tutorial).")]
public sealed partial class PokeApiConnector : Connector
{
    /// <summary>Pokémon between checkpoints, as in the original.</summary>
    internal const int CheckpointEvery = 10;

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => PokeApiTables.All;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = PokeApiSettings.Read(context.Configuration);
        var state = context.ReadState<OffsetState>();

        // PokeAPI asks for fair use; the original slept request_delay seconds after each detail request. The toolkit's rate
        // limit does the same without a hand-written sleep (and a connection's http_requests_per_second overrides it).
        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = settings.BaseUrl,
            RequestsPerSecond = settings.RequestDelay > TimeSpan.Zero ? 1 / settings.RequestDelay.TotalSeconds : null,
        });

        var page = new RestRequest("pokemon")
        {
            Query =
            {
                ["offset"] = state.Offset.ToString(CultureInfo.InvariantCulture),
                ["limit"] = settings.Limit.ToString(CultureInfo.InvariantCulture),
            },
        };
        var list = await client.GetJsonAsync<NamedResourceList>(page, cancellationToken);
        var entries = list.Results ?? throw new InvalidDataException($"PokeAPI's list at offset {state.Offset} has no 'results' array.");
        LogPage(context.Logger, state.Offset, entries.Count, list.Count);

        var processed = 0;
        foreach (var entry in entries)
        {
            await WritePokemonAsync(context, client, entry, cancellationToken);
            processed++;

            // Everything emitted for these Pokémon is committed before the offset moves past them. When the run's time budget
            // is spent, this call commits and then throws OperationCanceledException: it must propagate (never catch it).
            if (processed % CheckpointEvery == 0)
            {
                await context.CheckpointAsync(new OffsetState { Offset = state.Offset + processed }, cancellationToken);
            }
        }

        var next = state.Offset + processed;
        if (next >= list.Count)
        {
            // The whole list has been read: the next sync starts over, re-reading every Pokémon, so a changed one is updated.
            LogListDone(context.Logger, list.Count);
            next = 0;
        }

        await context.CheckpointAsync(new OffsetState { Offset = next }, cancellationToken);
    }

    /// <summary>One Pokémon's detail, as a <c>pokemon</c> row and its child rows; a Pokémon the API no longer has is soft-deleted.</summary>
    private static async Task WritePokemonAsync(SyncContext context, RestClient client, NamedResource entry, CancellationToken cancellationToken)
    {
        var url = entry.Url ?? throw new InvalidDataException($"PokeAPI's list names Pokémon '{entry.Name}' without a 'url'.");
        PokemonDetail detail;
        try
        {
            detail = await client.GetJsonAsync<PokemonDetail>(new RestRequest(url), cancellationToken);
        }
        catch (RestException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // The list named it, the detail is gone: the Pokémon was removed. Its id is the last segment of its URL.
            var id = ResourceId.Of(url, "Pokémon");
            LogRemoved(context.Logger, entry.Name ?? string.Empty, id);
            await context.DeleteAsync(PokeApiTables.Pokemon, new { id }, cancellationToken);
            return;
        }

        var pokemonId = detail.Id ?? throw new InvalidDataException($"PokeAPI's detail at {url} has no 'id'.");
        await context.UpsertAsync(PokeApiTables.Pokemon, PokeApiRows.Pokemon(detail, entry.Name), cancellationToken);
        foreach (var row in PokeApiRows.Types(pokemonId, detail))
        {
            await context.UpsertAsync(PokeApiTables.Types, row, cancellationToken);
        }

        foreach (var row in PokeApiRows.Abilities(pokemonId, detail))
        {
            await context.UpsertAsync(PokeApiTables.Abilities, row, cancellationToken);
        }

        foreach (var row in PokeApiRows.Stats(pokemonId, detail))
        {
            await context.UpsertAsync(PokeApiTables.Stats, row, cancellationToken);
        }
    }

    [LoggerMessage(EventId = 2850, Level = LogLevel.Information, Message = "Read {Entries} Pokémon of the list from offset {Offset}; the list has {Count}")]
    private static partial void LogPage(ILogger logger, long offset, int entries, long count);

    [LoggerMessage(EventId = 2851, Level = LogLevel.Information, Message = "Read the whole list of {Count} Pokémon; the next sync starts over at offset 0")]
    private static partial void LogListDone(ILogger logger, long count);

    [LoggerMessage(EventId = 2852, Level = LogLevel.Warning, Message = "Pokémon {Name} ({Id}) is listed but its detail answers 404: soft-deleted")]
    private static partial void LogRemoved(ILogger logger, string name, int id);
}
