using Azure.Core;
using Npgsql;

namespace Tributary.Destinations.Postgres;

/// <summary>Entra ID sign-in for Azure Database for PostgreSQL: an access token is the password.</summary>
internal static class EntraAuthentication
{
    /// <summary>How soon a failed token request is retried.</summary>
    private static readonly TimeSpan FailureRetry = TimeSpan.FromSeconds(10);

    /// <summary>Makes <paramref name="builder"/>'s connections sign in with tokens from <paramref name="credential"/>, refreshed periodically.</summary>
    public static void Use(NpgsqlDataSourceBuilder builder, TokenCredential credential, string scope, TimeSpan refreshInterval)
    {
        var context = new TokenRequestContext([scope]);
        builder.UsePeriodicPasswordProvider(
            async (_, cancellationToken) => (await credential.GetTokenAsync(context, cancellationToken)).Token,
            refreshInterval,
            FailureRetry);
    }
}
