using System.Globalization;
using System.Reflection;
using Tributary.Runtime.Schema;
using Tributary.Runtime.State;

namespace Tributary.Sdk.Testing;

/// <summary>
/// The mistakes that lose or leak data, checked in one call. Each check that fails throws a
/// <see cref="ConnectorAssertionException"/> naming the check, what happened and what to fix:
/// <list type="bullet">
/// <item><b>first sync</b>: a sync from empty state succeeds.</item>
/// <item><b>secrets kept out</b>: no secret (as is, URL- or base64-encoded) in the saved state, the run records or the logs.</item>
/// <item><b>schema agrees</b>: every row names the declared primary key; a delete names exactly the key columns.</item>
/// <item><b>checkpoints often</b>: the connector checkpoints, within <see cref="ConformanceOptions.MaxOperationsBetweenCheckpoints"/>
/// operations (and <see cref="ConformanceOptions.MaxTimeBetweenCheckpoints"/>), so it can pause under a time budget.</item>
/// <item><b>two syncs in a row</b>: a second sync, from the first's state an hour later over an unchanged source, leaves the
/// tables as they were (nothing new, or only the same rows again).</item>
/// <item><b>replay from every checkpoint</b>: a sync stopped right after each checkpoint and rerun ends with the tables of an
/// uninterrupted sync.</item>
/// <item><b>killed syncs converge</b>: so does a sync killed at random operations.</item>
/// </list>
/// Every sync runs through the real engine into a throwaway DuckDB warehouse, on a fake clock that starts at
/// <see cref="ConformanceOptions.Now"/>. The connector and its source must behave the same for the same state:
/// <c>createConnector</c> makes a new connector per sync, and <see cref="ConformanceOptions.HttpHandler"/> a new fake of its
/// source per warehouse, over the same data.
/// </summary>
public static class Conformance
{
    /// <summary>Runs every check; throws at the first that fails.</summary>
    /// <param name="createConnector">Makes a new connector for each sync.</param>
    /// <param name="options">Configuration, secrets, the source's fake and the limits; defaults when null.</param>
    /// <exception cref="ConnectorAssertionException">A check failed; the message says which, what happened and what to fix.</exception>
    public static async Task CheckAsync(Func<Connector> createConnector, ConformanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(createConnector);
        options ??= new ConformanceOptions();
        var connection = options.Connection
            ?? createConnector().GetType().GetCustomAttribute<ConnectorAttribute>()?.Name
            ?? "conformance";
        await new Checks(createConnector, options, connection).RunAsync();
    }

    private sealed class Checks(Func<Connector> createConnector, ConformanceOptions options, string connection)
    {
        private const int MinimumSecretLength = 4;   // shorter values are found everywhere

        public async Task RunAsync()
        {
            await using var clean = await Sandbox.StartAsync(this);
            var first = await clean.Harness.RunAsync(createConnector(), options.Configuration);
            var trace = clean.Harness.Operations;
            SchemaAgrees(trace);   // before the outcome: the engine refuses some of these mistakes with a terser error
            await SecretsKeptOutAsync(clean.Harness, first);
            if (first.Outcome != RunOutcome.Succeeded)
            {
                throw Fail("first sync", $"the sync failed: {first.Error}", "Fix this first: the other checks need a sync that succeeds.");
            }

            CheckpointsOften(trace);
            var tables = await TablesAsync(clean.Harness);

            clean.Harness.Time.Advance(TimeSpan.FromHours(1));
            var second = await clean.Harness.RunAsync(createConnector(), options.Configuration);
            if (second.Outcome != RunOutcome.Succeeded)
            {
                throw Fail("two syncs in a row", $"the second sync, started from the first's state, failed: {second.Error}",
                    "A sync must be able to start from any state the connector saved.");
            }

            await SecretsKeptOutAsync(clean.Harness, first, second);
            if (Difference(tables, await TablesAsync(clean.Harness)) is ({ } changed, _))
            {
                throw Fail("two syncs in a row",
                    $"the second sync, started from the first's state an hour later over an unchanged source, changed the tables: {changed}",
                    "A sync over an unchanged source must emit nothing new, or only the same rows again: does a value depend on the clock, or on the order of reads?");
            }

            var checkpoints = CheckpointPositions(trace);
            foreach (var (position, number) in Spread(checkpoints, options.MaxReplays))
            {
                await ConvergesAsync("replay from every checkpoint", $"a sync stopped right after checkpoint {number} of {checkpoints.Count} and rerun",
                    position, trace, tables);
            }

            var total = trace.Count(o => o.IsData);
            var random = new Random(options.Seed);
            int[] kills = total < 2 ? [] : [.. Enumerable.Range(0, options.KilledSyncs).Select(_ => random.Next(1, total)).Distinct().Order()];
            foreach (var killAfter in kills)
            {
                await ConvergesAsync("killed syncs converge", $"a sync killed after {killAfter} of its {total} operations and rerun",
                    killAfter, trace, tables);
            }
        }

        private async Task SecretsKeptOutAsync(ConnectorHarness harness, params RunRecord[] runs)
        {
            var state = await harness.ReadStateAsync();
            var values = options.Secrets.Select(s => (Name: $"secret '{s.Key}'", s.Value))
                .Concat(options.SensitiveValues.Select(v => (Name: "a sensitive value", Value: v)))
                .Where(s => s.Value.Length >= MinimumSecretLength);
            foreach (var (name, value) in values)
            {
                if (RunAssert.FindSecret(value, state, runs, harness.Logs.Lines) is { } where)
                {
                    throw Fail("secrets kept out", $"{name} is in {where}",
                        "Keep secrets in the secret store (context.GetSecretAsync) and out of state and logs: state is saved in plain text and kept in its history.");
                }
            }
        }

        private void SchemaAgrees(IReadOnlyList<EmittedOperation> trace)
        {
            var keys = createConnector().Schema(new ConnectorConfiguration(options.Configuration))
                .Where(t => t.PrimaryKey.Count > 0)
                .ToDictionary(t => Names.Normalize(t.Name), t => t.PrimaryKey.Select(Names.Normalize).ToList(), StringComparer.Ordinal);
            var number = 0;
            foreach (var operation in trace.Where(o => o.IsData))
            {
                number++;
                if (operation.Data is null || !keys.TryGetValue(Names.Normalize(operation.Table!), out var key))
                {
                    continue;
                }

                var named = operation.Data.Where(c => c.Value is not null).Select(c => Names.Normalize(c.Key)).ToHashSet(StringComparer.Ordinal);
                var declared = $"({string.Join(", ", key)})";
                if (key.FirstOrDefault(k => !named.Contains(k)) is { } missing)
                {
                    throw Fail("schema agrees",
                        $"table '{operation.Table}' declares primary key {declared}, but operation {number} ({operation}) has no value for '{missing}'",
                        "Emit every key column in each upsert, update and delete, or declare the key the source really has.");
                }

                if (operation.Kind == OperationKind.Delete && named.FirstOrDefault(c => !key.Contains(c)) is { } extra)
                {
                    throw Fail("schema agrees",
                        $"delete {number} on table '{operation.Table}' ({operation}) names '{extra}', which is not part of its declared primary key {declared}",
                        "A delete gives exactly the key columns.");
                }
            }
        }

        private void CheckpointsOften(IReadOnlyList<EmittedOperation> trace)
        {
            var total = trace.Count(o => o.IsData);
            if (total > 0 && !trace.Any(o => o.Kind == OperationKind.Checkpoint))
            {
                throw Fail("checkpoints often", $"the sync emitted {total} operations and never checkpointed",
                    "Call CheckpointAsync with the cursor after each page or batch: without a checkpoint a failed or paused sync starts over, and a time budget can never pause it.");
            }

            var since = 0;
            var last = options.Now;
            var number = 0;
            foreach (var operation in trace)
            {
                if (operation.Kind == OperationKind.Checkpoint)
                {
                    number++;
                    if (operation.At - last > options.MaxTimeBetweenCheckpoints)
                    {
                        throw Fail("checkpoints often", $"{operation.At - last} passed on the clock before checkpoint {number}, more than the {options.MaxTimeBetweenCheckpoints} allowed",
                            "Checkpoint after each page or batch, so a sync can pause under its time budget.");
                    }

                    since = 0;
                    last = operation.At;
                    continue;
                }

                if (++since > options.MaxOperationsBetweenCheckpoints)
                {
                    throw Fail("checkpoints often",
                        $"the sync emitted more than {options.MaxOperationsBetweenCheckpoints} operations {(number == 0 ? "before its first checkpoint" : $"after checkpoint {number}")} without another",
                        "Checkpoint after each page or batch, so a sync can pause under its time budget and a failed one resumes near where it stopped.");
                }
            }
        }

        // Kills a sync after `killAfter` operations in a new warehouse, reruns it, and compares the tables with the clean sync's.
        private async Task ConvergesAsync(string check, string what, int killAfter, IReadOnlyList<EmittedOperation> clean, Dictionary<string, List<string>> expected)
        {
            await using var sandbox = await Sandbox.StartAsync(this);
            await sandbox.Harness.RunAsync(createConnector(), options.Configuration, killAfterOperations: killAfter);
            var killed = sandbox.Harness.Operations;
            var rerun = await sandbox.Harness.RunAsync(createConnector(), options.Configuration);
            if (rerun.Outcome != RunOutcome.Succeeded)
            {
                throw Fail(check, $"{what}: the rerun failed: {rerun.Error}", "A sync must be able to start from any state the connector saved.");
            }

            if (Difference(expected, await TablesAsync(sandbox.Harness)) is not ({ } difference, var lost))
            {
                return;
            }

            var saved = CheckpointPositions(killed);
            var resumedAt = saved.Count;
            var before = saved.LastOrDefault();
            var state = killed.LastOrDefault(o => o.Kind == OperationKind.Checkpoint)?.Data is { } last ? EmittedOperation.Json(last) : "{}";
            var followed = clean.Where(o => o.IsData).Skip(before).Take(SegmentLength(clean, before)).Select(o => o.ToString()).ToList();
            var replayed = sandbox.Harness.Operations.Where(o => o.IsData).Select(o => o.ToString()).ToHashSet(StringComparer.Ordinal);
            var from = resumedAt == 0 ? "from empty state" : $"from checkpoint {resumedAt}'s state {state}";
            if (resumedAt > 0 && followed.Count > 0 && !followed.Any(replayed.Contains))
            {
                throw Fail(check, $"{what} {from} does not end with the tables of an uninterrupted sync: {difference}. " +
                    $"That state already covers the {followed.Count} operations the uninterrupted sync emitted after it (first: {followed[0]}), and the rerun never emits them: the state is ahead of the data",
                    "Checkpoint only after emitting every row the state covers.");
            }

            if (resumedAt == 0 || !lost)
            {
                throw Fail(check, $"{what} {from} does not end with the tables of an uninterrupted sync: {difference}",
                    "A rerun must emit the same rows for the same state: are keys or values made up per sync (a Guid, a row number, the clock)?");
            }

            throw Fail(check, $"{what} {from} does not end with the tables of an uninterrupted sync: {difference}. " +
                "The rerun emits part of what followed that checkpoint but not all of it: the cursor skips rows",
                "Resume from the first row the state does not cover: with a timestamp cursor, read again the rows that share the last timestamp (>=, not >), and never add to the cursor.");
        }

        private HttpMessageHandler? NewHttpHandler() => options.HttpHandler?.Invoke();

        private ConnectorHarness NewHarness(HttpMessageHandler? handler) => new(connection, options.Now) { HttpHandler = handler };

        private async Task StoreSecretsAsync(ConnectorHarness harness)
        {
            foreach (var (name, value) in options.Secrets)
            {
                await harness.SetSecretAsync(name, value);
            }
        }

        private static async Task<Dictionary<string, List<string>>> TablesAsync(ConnectorHarness harness)
        {
            var tables = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var table in (await harness.TablesAsync()).Where(t => !t.StartsWith("_tributary", StringComparison.Ordinal)))   // the engine's own
            {
                tables[table] = [.. (await harness.ContentsAsync(table)).Order(StringComparer.Ordinal)];
            }

            return tables;
        }

        // What differs between two sets of tables, described (null when nothing does), and whether rows are missing.
        private static (string? Text, bool Lost) Difference(Dictionary<string, List<string>> expected, Dictionary<string, List<string>> actual)
        {
            var differences = new List<string>();
            var lost = false;
            foreach (var table in expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
            {
                var want = expected.GetValueOrDefault(table) ?? [];
                var have = actual.GetValueOrDefault(table) ?? [];
                var lacks = Minus(want, have);
                var extra = Minus(have, want);
                if (lacks.Count > 0)
                {
                    differences.Add($"table '{table}' lacks {Rows(lacks.Count)} (first: {lacks[0]})");
                    lost = true;
                }

                if (extra.Count > 0)
                {
                    differences.Add($"table '{table}' has {Rows(extra.Count)} it should not (first: {extra[0]})");
                }
            }

            return (differences.Count == 0 ? null : string.Join("; ", differences), lost);
        }

        private static List<string> Minus(List<string> from, List<string> remove)
        {
            var left = remove.GroupBy(r => r, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var result = new List<string>();
            foreach (var row in from)
            {
                if (left.TryGetValue(row, out var count) && count > 0)
                {
                    left[row] = count - 1;
                }
                else
                {
                    result.Add(row);
                }
            }

            return result;
        }

        private static string Rows(int count) => count == 1 ? "1 row" : string.Create(CultureInfo.InvariantCulture, $"{count} rows");

        // For each checkpoint, how many data operations came before it.
        private static List<int> CheckpointPositions(IReadOnlyList<EmittedOperation> trace)
        {
            var positions = new List<int>();
            var data = 0;
            foreach (var operation in trace)
            {
                if (operation.IsData)
                {
                    data++;
                }
                else
                {
                    positions.Add(data);
                }
            }

            return positions;
        }

        // The data operations of the clean sync from `position` to its next checkpoint (or its end).
        private static int SegmentLength(IReadOnlyList<EmittedOperation> clean, int position)
        {
            var next = CheckpointPositions(clean).FirstOrDefault(p => p > position, clean.Count(o => o.IsData));
            return next - position;
        }

        // At most `max` of the checkpoints, the first and the last among them, spread evenly; each with its number (1-based).
        private static IEnumerable<(int Position, int Number)> Spread(List<int> positions, int max)
        {
            if (positions.Count == 0 || max <= 0)
            {
                return [];
            }

            var picked = positions.Count <= max
                ? Enumerable.Range(0, positions.Count)
                : Enumerable.Range(0, max).Select(i => max == 1 ? positions.Count - 1 : (int)Math.Round(i * (positions.Count - 1) / (double)(max - 1)));
            return picked.Distinct().Select(i => (positions[i], i + 1));
        }

        private static ConnectorAssertionException Fail(string check, string what, string fix) =>
            new($"Conformance check '{check}' failed: {what.TrimEnd('.')}. {fix}");

        // One warehouse with its own fake source.
        private sealed class Sandbox : IAsyncDisposable
        {
            private HttpMessageHandler? _handler;

            public ConnectorHarness Harness { get; private set; } = null!;

            public static async Task<Sandbox> StartAsync(Checks checks)
            {
                var sandbox = new Sandbox { _handler = checks.NewHttpHandler() };
                sandbox.Harness = checks.NewHarness(sandbox._handler);
                await checks.StoreSecretsAsync(sandbox.Harness);
                return sandbox;
            }

            public async ValueTask DisposeAsync()
            {
                await Harness.DisposeAsync();
                _handler?.Dispose();
            }
        }
    }
}
