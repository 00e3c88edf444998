using Azure.Core;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;
using Tributary.Testing;

namespace Tributary.Destinations.Postgres.Tests;

/// <summary>What is PostgreSQL's own beyond the contract suite: sign-in, options, identifiers, the time zone, the merge fallback.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresDestinationTests(PostgresFixture postgres)
{
    private static readonly SystemColumns Sys = SystemColumns.Tributary;
    private static readonly DateTimeOffset T1 = new(2024, 9, 24, 14, 30, 45, TimeSpan.Zero);

    private static readonly TableSchema Items = new("items",
        [new ColumnSchema("id", ColumnType.Long), new ColumnSchema("name", ColumnType.String), .. Sys.Trailing()], ["id"]);

    [Theory]
    [InlineData("", "ConnectionString is required")]
    [InlineData("Database=x", "must name a Host")]
    [InlineData("Host=localhost;Bogus Keyword=1", "not a valid Npgsql connection string")]
    public void Constructor_InvalidConnectionString_ThrowsSayingWhy(string connectionString, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresDestination(new PostgresDestinationOptions { ConnectionString = connectionString }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CredentialWithPassword_ThrowsWithoutRepeatingThePassword()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresDestination(new PostgresDestinationOptions
        {
            ConnectionString = "Host=db.example;Username=app;Password=s3cret-value",
            Credential = new FakeCredential("token"),
        }));

        Assert.Contains("carries a Password, but a Credential is set", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CredentialWithoutUsername_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresDestination(new PostgresDestinationOptions
        {
            ConnectionString = "Host=db.example;Database=warehouse",
            Credential = new FakeCredential("token"),
        }));

        Assert.Contains("Username", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_UnreachableServer_ConnectsOnlyOnFirstUse()
    {
        await using var destination = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = "Host=127.0.0.1;Port=1;Timeout=2" });

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => destination.GetTablesAsync("conn", CancellationToken.None));
    }

    [Fact]
    public async Task Constructor_WithCredential_AsksForATokenOnlyOnFirstUse()
    {
        var credential = new FakeCredential("token");
        await using var destination = new PostgresDestination(new PostgresDestinationOptions
        {
            ConnectionString = "Host=127.0.0.1;Port=1;Timeout=2;Username=app",
            Credential = credential,
        });

        // A token fetch started in the background would land within milliseconds; passing never depends on this wait.
        var asked = await Task.WhenAny(credential.Asked, Task.Delay(TimeSpan.FromSeconds(1)));
        Assert.False(asked == credential.Asked, "The credential was asked for a token before the destination was used.");

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => destination.GetTablesAsync("conn", CancellationToken.None));
        Assert.Equal([PostgresDestinationOptions.AzurePostgresScope], credential.Scopes.Distinct());
    }

    [Fact]
    public async Task WriteAsync_EntraTokenAsPassword_SignsInWithTheCredentialsToken()
    {
        var database = await postgres.Server.CreateDatabaseAsync(CancellationToken.None);
        var role = "entra_" + Guid.NewGuid().ToString("N")[..8];
        var token = "eyJ0eXAi." + Guid.NewGuid().ToString("N");
        await ExecuteAsync(database, $"CREATE ROLE {role} LOGIN PASSWORD '{token}'; GRANT CREATE ON DATABASE \"{new NpgsqlConnectionStringBuilder(database).Database}\" TO {role};");
        var credential = new FakeCredential(token);
        var connectionString = new NpgsqlConnectionStringBuilder(database) { Username = role, Password = null }.ConnectionString;
        await using var destination = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = connectionString, Credential = credential });

        await destination.WriteAsync(Create(Items, [1L, "one"]), CancellationToken.None);

        Assert.Equal(["1|one"], (await new PostgresWarehouseReader(database).RowsAsync("SELECT id, name FROM conn.items", default)).Select(Values.Show));
        Assert.Equal([PostgresDestinationOptions.AzurePostgresScope], credential.Scopes.Distinct());
    }

    [Fact]
    public async Task WriteAsync_WrongToken_FailsToSignIn()
    {
        var database = await postgres.Server.CreateDatabaseAsync(CancellationToken.None);
        var role = "entra_" + Guid.NewGuid().ToString("N")[..8];
        await ExecuteAsync(database, $"CREATE ROLE {role} LOGIN PASSWORD 'the-right-token'");
        var connectionString = new NpgsqlConnectionStringBuilder(database) { Username = role, Password = null }.ConnectionString;
        await using var destination = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = connectionString, Credential = new FakeCredential("a-stale-token") });

        var error = await Assert.ThrowsAsync<PostgresException>(() => destination.GetTablesAsync("conn", CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
    }

    [Fact]
    public async Task WriteAsync_NameLongerThanPostgresKeeps_ThrowsNamingItAndWritesNothing()
    {
        var database = await postgres.Server.CreateDatabaseAsync(CancellationToken.None);
        await using var destination = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = database });
        var name = "a_column_name_that_is_far_longer_than_the_sixty_three_bytes_postgres_keeps";
        var table = new TableSchema("items", [new ColumnSchema("id", ColumnType.Long), new ColumnSchema(name, ColumnType.String), .. Sys.Trailing()], ["id"]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => destination.WriteAsync(Create(table, [1L, "x"]), CancellationToken.None));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Empty(await destination.GetTablesAsync("conn", CancellationToken.None));
    }

    [Fact]
    public async Task WriteAsync_TextWithNulCharacter_ThrowsNamingTheTableAndWritesNothing()
    {
        var database = await postgres.Server.CreateDatabaseAsync(CancellationToken.None);
        await using var destination = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = database });
        await destination.WriteAsync(Create(Items, [1L, "one"]), CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => destination.WriteAsync(
            new WriteBatch("conn", Items, Sys, OperationKind.Upsert, ["id", "name"], [[1L, "nul\0inside"], [2L, "two"]], [], T1), CancellationToken.None));

        Assert.Contains("\"conn\".\"items\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(["1|one"], (await new PostgresWarehouseReader(database).RowsAsync("SELECT id, name FROM conn.items", default)).Select(Values.Show));
    }

    [Fact]
    public async Task WriteAsync_ConnectionStringWithAnotherTimezone_StillWidensNaiveTimesAsUtc()
    {
        var database = new NpgsqlConnectionStringBuilder(await postgres.Server.CreateDatabaseAsync(CancellationToken.None)) { Timezone = "Asia/Tokyo" }.ConnectionString;
        await using var destination = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = database });
        var table = new TableSchema("events", [new ColumnSchema("id", ColumnType.Long), new ColumnSchema("at", ColumnType.NaiveDateTime), .. Sys.Trailing()], ["id"]);
        await destination.WriteAsync(Create(table, [1L, new DateTime(2024, 5, 6, 7, 8, 9)]), CancellationToken.None);
        var widened = new TableSchema("events", [table.Columns[0], new ColumnSchema("at", ColumnType.UtcDateTime), .. Sys.Trailing()], ["id"]);

        await destination.WriteAsync(new WriteBatch("conn", widened, Sys, OperationKind.Upsert, ["id", "at"], [], [new SchemaChange(SchemaChangeKind.WidenColumn, widened.Columns[1])], T1), CancellationToken.None);

        Assert.Equal(["1|2024-05-06T07:08:09Z"], (await new PostgresWarehouseReader(database).RowsAsync("SELECT id, \"at\" FROM conn.events", default)).Select(Values.Show));
    }

    [Fact]
    public async Task WriteAsync_JsonAndXml_LandAsJsonbAndCommentedText()
    {
        var database = await postgres.Server.CreateDatabaseAsync(CancellationToken.None);
        await using var destination = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = database });
        var table = new TableSchema("docs", [new ColumnSchema("id", ColumnType.Long), new ColumnSchema("doc", ColumnType.Json), new ColumnSchema("x", ColumnType.Xml), .. Sys.Trailing()], ["id"]);

        await destination.WriteAsync(Create(table, [1L, "{\"a\":{\"b\":[10,20]}}", "<not-validated"]), CancellationToken.None);

        Assert.Equal(["20|<not-validated"], (await new PostgresWarehouseReader(database).RowsAsync("SELECT doc #>> '{a,b,1}', x FROM conn.docs", default)).Select(Values.Show));
        Assert.Equal(["doc jsonb JSON", "x text XML"], (await new PostgresWarehouseReader(database).ColumnsAsync("conn", "docs", default))
            .Where(c => c.Name is "doc" or "x").Select(c => $"{c.Name} {c.PhysicalType} {c.Comment}"));
    }

    [Fact]
    public async Task WriteAsync_UpsertMeetingExistingKeys_FallsBackToMergeOnceThenMergesThatTable()
    {
        var database = await postgres.Server.CreateDatabaseAsync(CancellationToken.None);
        var logger = new FakeLogger<PostgresDestination>();
        await using var destination = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = database }, logger);
        await destination.WriteAsync(Create(Items, [1L, "one"]), CancellationToken.None);

        await destination.WriteAsync(Upsert(Items, [2L, "two"]), CancellationToken.None);        // new keys: copied straight in
        await destination.WriteAsync(Upsert(Items, [3L, "three"], [1L, "uno"]), CancellationToken.None);   // meets key 1: merged
        await destination.WriteAsync(Upsert(Items, [4L, "four"]), CancellationToken.None);       // merged from now on

        Assert.Equal(1, logger.Collector.GetSnapshot().Count(r => r.Id.Id == 3104));
        Assert.Equal(["1|uno", "2|two", "3|three", "4|four"],
            (await new PostgresWarehouseReader(database).RowsAsync("SELECT id, name FROM conn.items ORDER BY id", default)).Select(Values.Show));
    }

    [Fact]
    public async Task WriteAsync_CreatesTable_LeavesRoomOnEachPageForUpdatesInPlace()
    {
        var database = await postgres.Server.CreateDatabaseAsync(CancellationToken.None);
        await using var destination = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = database });

        await destination.WriteAsync(Create(Items, [1L, "one"]), CancellationToken.None);

        // A soft delete or an update then rewrites its row on its own page, with no new index entry (a heap-only tuple).
        Assert.Equal(["{fillfactor=80}"], (await new PostgresWarehouseReader(database).RowsAsync(
            "SELECT reloptions::text FROM pg_class WHERE oid = 'conn.items'::regclass", default)).Select(Values.Show));
    }

    [Fact]
    public async Task DisposeAsync_ThenAnyCall_ThrowsObjectDisposed()
    {
        var destination = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = await postgres.Server.CreateDatabaseAsync(CancellationToken.None) });
        await destination.DisposeAsync();
        await destination.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => destination.GetTablesAsync("conn", CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => destination.WriteAsync(Upsert(Items, [1L, "one"]), CancellationToken.None));
    }

    private static WriteBatch Create(TableSchema table, params object?[][] rows) =>
        new("conn", table, Sys, OperationKind.Upsert, [.. table.Columns.Take(table.Columns.Count - 2).Select(c => c.Name)], rows,
            [new SchemaChange(SchemaChangeKind.CreateTable, null)], T1);

    private static WriteBatch Upsert(TableSchema table, params object?[][] rows) =>
        new("conn", table, Sys, OperationKind.Upsert, [.. table.Columns.Take(table.Columns.Count - 2).Select(c => c.Name)], rows, [], T1);

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A credential that hands out one fixed token and records the scopes asked for.</summary>
    private sealed class FakeCredential(string token) : TokenCredential
    {
        private readonly TaskCompletionSource _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Scopes { get; } = [];

        /// <summary>Completes when a token is first asked for.</summary>
        public Task Asked => _asked.Task;

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes)
            {
                Scopes.AddRange(requestContext.Scopes);
            }

            _asked.TrySetResult();

            return new AccessToken(token, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
