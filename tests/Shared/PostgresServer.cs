using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Tributary.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster from the Debian <c>postgresql</c> package's binaries: <c>initdb</c> in a temporary folder,
/// started on a free loopback port chosen at run time, stopped and deleted on disposal. Runs as the unprivileged
/// <c>postgres</c> user when the tests run as root (initdb and pg_ctl refuse root). Password sign-in (SCRAM) over TCP, the
/// server's time zone deliberately not UTC, durability off (the tests kill clients, never the server).
/// </summary>
/// <remarks>Fails loudly, never skips, when PostgreSQL is not installed: the message says how to install it.</remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Set it to a folder holding <c>initdb</c> and <c>pg_ctl</c> to use another installation.</summary>
    public const string BinEnvironmentVariable = "TRIBUTARY_POSTGRES_BIN";

    /// <summary>The superuser the cluster is made with.</summary>
    public const string User = "postgres";

    private const string FolderPrefix = "tributary-pg-";
    private const string OwnerFile = "owner.pid";

    private readonly string _bin;
    private readonly bool _asPostgresUser;
    private int _databases;
    private bool _disposed;

    private PostgresServer(string bin, bool asPostgresUser, string root, int port, string password)
    {
        _bin = bin;
        _asPostgresUser = asPostgresUser;
        Root = root;
        Port = port;
        Password = password;
    }

    /// <summary>The cluster's folder (data directory, log).</summary>
    public string Root { get; }

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The superuser's password.</summary>
    public string Password { get; }

    private string DataDirectory => Path.Combine(Root, "data");

    private string LogFile => Path.Combine(Root, "postgres.log");

    /// <summary>A connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Password = Password,
        Database = database,
    }.ConnectionString;

    /// <summary>Makes and starts a cluster. Clusters left behind by test processes that died are stopped and deleted first.</summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is not installed (the message says how to install it), or the cluster did not start (with its log).</exception>
    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The throwaway PostgreSQL server runs on Linux (the Debian postgresql package).");
        }

        var bin = FindBinaries();
        var asPostgresUser = IsRoot();
        await RemoveAbandonedClustersAsync(bin, asPostgresUser, cancellationToken);

        var root = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(root, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken);
            var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var passwordFile = Path.Combine(root, "pwfile");
            await File.WriteAllTextAsync(passwordFile, password + "\n", cancellationToken);
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (asPostgresUser)
            {
                // The postgres user must reach the folder and own what it writes; the parent (the temp folder) is traversable.
                File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                await RunAsync("chown", ["-R", $"{User}:", root], root, cancellationToken);
            }

            await RunAsync(Tool(bin, asPostgresUser, "initdb", out var initdbArguments),
                [.. initdbArguments, "-D", Path.Combine(root, "data"), "-U", User, "--pwfile", passwordFile, "--auth-local=trust",
                 "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"],
                root, cancellationToken);
            File.Delete(passwordFile);

            // A free port now may be taken by the time the server binds it: try a few.
            for (var attempt = 1; ; attempt++)
            {
                var server = new PostgresServer(bin, asPostgresUser, root, FreePort(), password);
                try
                {
                    await server.StartServerAsync(cancellationToken);
                    return server;
                }
                catch (InvalidOperationException) when (attempt < 5 && server.LogMentionsPortInUse())
                {
                }
            }
        }
        catch
        {
            TryDelete(root);
            throw;
        }
    }

    /// <summary>Creates an empty database and returns a connection string for it as the superuser.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = "t" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>Stops the server at once and deletes the cluster's folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await StopAsync(_bin, _asPostgresUser, DataDirectory, CancellationToken.None);
        }
        finally
        {
            TryDelete(Root);
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var options = string.Join(' ',
            "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", DataDirectory, "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
            "-c", "timezone=America/New_York");
        try
        {
            await RunAsync(Tool(_bin, _asPostgresUser, "pg_ctl", out var arguments),
                [.. arguments, "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options, "start"], Root, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{ex.Message}\nServer log:\n{ReadLog()}", ex);
        }
    }

    private bool LogMentionsPortInUse() => ReadLog().Contains("could not bind", StringComparison.OrdinalIgnoreCase)
        || ReadLog().Contains("already in use", StringComparison.OrdinalIgnoreCase);

    private string ReadLog()
    {
        try
        {
            return File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no log)";
        }
        catch (IOException ex)
        {
            return $"(log unreadable: {ex.Message})";
        }
    }

    private static async Task StopAsync(string bin, bool asPostgresUser, string dataDirectory, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
        {
            await RunAsync(Tool(bin, asPostgresUser, "pg_ctl", out var arguments),
                [.. arguments, "-D", dataDirectory, "-m", "immediate", "-w", "stop"], Path.GetDirectoryName(dataDirectory)!, cancellationToken, throwOnFailure: false);
        }
    }

    /// <summary>Stops and deletes clusters whose owning test process no longer runs.</summary>
    private static async Task RemoveAbandonedClustersAsync(string bin, bool asPostgresUser, CancellationToken cancellationToken)
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var owner = Path.Combine(folder, OwnerFile);
            if (!File.Exists(owner) || !int.TryParse(await File.ReadAllTextAsync(owner, cancellationToken), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            await StopAsync(bin, asPostgresUser, Path.Combine(folder, "data"), cancellationToken);
            TryDelete(folder);
        }
    }

    private static string FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable(BinEnvironmentVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(Path.Combine(configured, "initdb"))
                ? configured
                : throw new InvalidOperationException($"{BinEnvironmentVariable} is '{configured}', which holds no initdb.");
        }

        const string Installed = "/usr/lib/postgresql";
        var found = Directory.Exists(Installed)
            ? Directory.EnumerateDirectories(Installed)
                .Select(version => (Version: int.TryParse(Path.GetFileName(version), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0, Bin: Path.Combine(version, "bin")))
                .Where(v => File.Exists(Path.Combine(v.Bin, "initdb")) && File.Exists(Path.Combine(v.Bin, "pg_ctl")))
                .OrderByDescending(v => v.Version)
                .Select(v => v.Bin)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "The PostgreSQL tests need a PostgreSQL server's binaries (initdb, pg_ctl) under /usr/lib/postgresql/<version>/bin, and none " +
            "were found. Install them (as root): apt-get update && apt-get install -y --no-install-recommends postgresql " +
            $"— or set {BinEnvironmentVariable} to a folder that holds initdb and pg_ctl.");
    }

    private static string Tool(string bin, bool asPostgresUser, string name, out string[] arguments)
    {
        if (asPostgresUser)
        {
            arguments = ["-u", User, "--", Path.Combine(bin, name)];
            return "runuser";
        }

        arguments = [];
        return Path.Combine(bin, name);
    }

    private static bool IsRoot()
    {
        // Effective uid, the third field of "Uid:" (real, effective, saved, filesystem).
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        var fields = line?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: >= 3 } && fields[2] == "0";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string fileName, string[] arguments, string workingDirectory, CancellationToken cancellationToken, bool throwOnFailure = true)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0 && throwOnFailure)
        {
            throw new InvalidOperationException(
                $"'{fileName} {string.Join(' ', arguments)}' exited with {process.ExitCode}:\n{await output}{await error}");
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
