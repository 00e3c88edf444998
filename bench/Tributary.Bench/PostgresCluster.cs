using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Tributary.Bench;

/// <summary>
/// A throwaway PostgreSQL cluster for the bench, made the way the tests' fixture makes one: the Debian package's
/// <c>initdb</c> and <c>pg_ctl</c> in a temporary folder, a free loopback port, run as the <c>postgres</c> user when the bench
/// runs as root; stopped and deleted on disposal. Durability settings are PostgreSQL's defaults.
/// </summary>
internal sealed class PostgresCluster : IAsyncDisposable
{
    private const string User = "postgres";
    private readonly string _bin;
    private readonly bool _asPostgresUser;

    private PostgresCluster(string bin, bool asPostgresUser, string root, int port, string password)
    {
        _bin = bin;
        _asPostgresUser = asPostgresUser;
        Root = root;
        Port = port;
        Password = password;
    }

    public string Root { get; }

    public int Port { get; }

    public string Password { get; }

    private string Data => Path.Combine(Root, "data");

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = User, Password = Password, Database = database,
    }.ConnectionString;

    public static async Task<PostgresCluster> StartAsync()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The bench's PostgreSQL cluster runs on Linux.");
        }

        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException(
                "The postgres bench needs PostgreSQL's server binaries under /usr/lib/postgresql/<version>/bin. Install them (as root): " +
                "apt-get update && apt-get install -y --no-install-recommends postgresql");
        }

        var asPostgresUser = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[2] == "0";
        var root = Directory.CreateTempSubdirectory("tributary-bench-pg-").FullName;
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var passwordFile = Path.Combine(root, "pwfile");
        await File.WriteAllTextAsync(passwordFile, password + "\n");
        if (asPostgresUser)
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
            await RunAsync("chown", ["-R", $"{User}:", root], root);
        }

        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var cluster = new PostgresCluster(bin, asPostgresUser, root, port, password);
            await cluster.RunToolAsync("initdb", ["-D", cluster.Data, "-U", User, "--pwfile", passwordFile, "--auth-host=scram-sha-256",
                "--auth-local=trust", "-E", "UTF8", "--no-locale", "--no-instructions"]);
            await cluster.RunToolAsync("pg_ctl", ["-D", cluster.Data, "-l", Path.Combine(root, "postgres.log"), "-w", "-t", "60",
                "-o", $"-p {port} -k {cluster.Data} -c listen_addresses=127.0.0.1 -c max_wal_size=4GB", "start"]);
            return cluster;
        }
    }

    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunToolAsync("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private Task RunToolAsync(string tool, string[] arguments) => _asPostgresUser
        ? RunAsync("runuser", ["-u", User, "--", Path.Combine(_bin, tool), .. arguments], Root)
        : RunAsync(Path.Combine(_bin, tool), arguments, Root);

    private static async Task RunAsync(string fileName, string[] arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output + await error;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"'{fileName} {string.Join(' ', arguments)}' exited with {process.ExitCode}:\n{text}"));
        }
    }
}
