using Npgsql;
using Tributary.Testing;

namespace Tributary.Connectors.Tests.Relational;

/// <summary>A fresh database on the shared PostgreSQL server, standing in for a connector's source: SQL to set it up
/// and change it between syncs, and the connector configuration that points at it.</summary>
internal sealed class PostgresSource
{
    private PostgresSource(string connectionString) => Builder = new NpgsqlConnectionStringBuilder(connectionString);

    public NpgsqlConnectionStringBuilder Builder { get; }

    /// <summary>The superuser's password: the connection's <c>password</c> secret in the tests.</summary>
    public string Password => Builder.Password!;

    public static async Task<PostgresSource> CreateAsync(PostgresFixture fixture, CancellationToken cancellationToken) =>
        new(await fixture.Server.CreateDatabaseAsync(cancellationToken));

    /// <summary>Runs SQL (several statements allowed) in the source database.</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The example's sample <c>configuration.json</c> with the connection keys pointing at this database (no TLS:
    /// the throwaway server has no certificate), then <paramref name="overrides"/>.</summary>
    public Dictionary<string, string> Configuration(string exampleFolder, params (string Key, string Value)[] overrides)
    {
        var configuration = SampleConfiguration.Read(exampleFolder);
        configuration["host"] = Builder.Host!;
        configuration["port"] = Builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        configuration["database"] = Builder.Database!;
        configuration["user"] = Builder.Username!;
        configuration["ssl_mode"] = "Disable";
        foreach (var (key, value) in overrides)
        {
            configuration[key] = value;
        }

        return configuration;
    }
}
