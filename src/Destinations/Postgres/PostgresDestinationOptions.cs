using Azure.Core;
using Npgsql;

namespace Tributary.Destinations.Postgres;

/// <summary>Where <see cref="PostgresDestination"/> writes and how it signs in.</summary>
public sealed class PostgresDestinationOptions
{
    /// <summary>The Entra ID scope of Azure Database for PostgreSQL, whose access tokens are the sign-in password.</summary>
    public const string AzurePostgresScope = "https://ossrdbms-aad.database.windows.net/.default";

    /// <summary>
    /// An Npgsql connection string, for example <c>Host=localhost;Port=5432;Database=warehouse;Username=tributary;Password=…</c>.
    /// Required, no default; it must name a <c>Host</c>. With <see cref="Credential"/> it names the Entra principal as
    /// <c>Username</c> and carries no password. The <c>Timezone</c> setting is always UTC: it is forced, whatever is given here.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary>
    /// Signs in with Entra ID access tokens instead of a password, as Azure Database for PostgreSQL expects: a token for
    /// <see cref="TokenScope"/> is fetched before the first connection and refreshed every <see cref="TokenRefreshInterval"/>.
    /// The host composes it (a managed identity on Azure, <c>DefaultAzureCredential</c> on a developer's machine). Default:
    /// none, the password (or trust) in <see cref="ConnectionString"/> applies.
    /// </summary>
    public TokenCredential? Credential { get; init; }

    /// <summary>The scope tokens are requested for. Default <see cref="AzurePostgresScope"/>.</summary>
    public string TokenScope { get; init; } = AzurePostgresScope;

    /// <summary>
    /// How often a new token is requested from <see cref="Credential"/> (which caches and renews tokens before they expire;
    /// a token is only needed when a new connection opens). Default 5 minutes; 10 seconds to 1 hour.
    /// </summary>
    public TimeSpan TokenRefreshInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Checks the options; the destination calls it when it is created.</summary>
    /// <exception cref="ArgumentException">A value is missing or invalid; the message says which and never repeats a secret.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("PostgresDestinationOptions.ConnectionString is required.", nameof(ConnectionString));
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException ex)
        {
            // Npgsql names the offending keyword, never the value.
            throw new ArgumentException($"PostgresDestinationOptions.ConnectionString is not a valid Npgsql connection string: {ex.Message}", nameof(ConnectionString), ex);
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new ArgumentException("PostgresDestinationOptions.ConnectionString must name a Host.", nameof(ConnectionString));
        }

        if (Credential is null)
        {
            return;
        }

        if (!string.IsNullOrEmpty(builder.Password))
        {
            throw new ArgumentException(
                "PostgresDestinationOptions.ConnectionString carries a Password, but a Credential is set: with Entra authentication the token is the password. Remove one.",
                nameof(ConnectionString));
        }

        if (string.IsNullOrWhiteSpace(builder.Username))
        {
            throw new ArgumentException(
                "PostgresDestinationOptions.ConnectionString must name the Entra principal (the managed identity's or user's role name) as Username when a Credential is set.",
                nameof(ConnectionString));
        }

        if (string.IsNullOrWhiteSpace(TokenScope))
        {
            throw new ArgumentException("PostgresDestinationOptions.TokenScope must not be empty when a Credential is set.", nameof(TokenScope));
        }

        if (TokenRefreshInterval < TimeSpan.FromSeconds(10) || TokenRefreshInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentException("PostgresDestinationOptions.TokenRefreshInterval must be between 10 seconds and 1 hour.", nameof(TokenRefreshInterval));
        }
    }
}
