using Tributary.Destinations.DuckDb;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;

namespace Tributary.Cli;

/// <summary>The local files behind <c>--files DIR</c>: the DuckDB warehouse, the state store and the secrets file.</summary>
internal sealed class Workspace : IAsyncDisposable
{
    public Workspace(DirectoryInfo files, TimeProvider time)
    {
        Root = files.FullName;
        Directory.CreateDirectory(Root);
        Store = new FileStateStore(Root, time);
        Secrets = new LocalSecretStore(Root);
        Warehouse = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = WarehousePath });
    }

    public string Root { get; }

    public string WarehousePath => Path.Combine(Root, "warehouse.db");

    public FileStateStore Store { get; }

    public LocalSecretStore Secrets { get; }

    public DuckDbDestination Warehouse { get; }

    public ValueTask DisposeAsync() => Warehouse.DisposeAsync();
}
