using Tributary.Runtime.Destinations;
using Tributary.Sdk;
using Tributary.Testing;

namespace Tributary.Destinations.DuckDb.Tests;

/// <summary>The destination contract suite against a DuckDB file, one fresh file per test.</summary>
public sealed class DuckDbContractTests : DestinationContractTests
{
    protected override Task<IDestinationTarget> CreateTargetAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IDestinationTarget>(new DuckDbTarget());

    /// <summary>One DuckDB file in its own temporary folder: destinations over it and a reader.</summary>
    internal sealed class DuckDbTarget : IDestinationTarget
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("tributary-duckdb-contract-").FullName;
        private readonly List<DuckDbDestination> _opened = [];

        public DuckDbTarget() => Reader = new DuckDbWarehouseReader(DatabasePath);

        private string DatabasePath => Path.Combine(_folder, "warehouse.db");

        public WarehouseReader Reader { get; }

        public IDestination Open()
        {
            var destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = DatabasePath });
            _opened.Add(destination);
            return destination;
        }

        /// <summary>The types <c>duckdb_columns()</c> reports, written out rather than taken from the destination.</summary>
        public string PhysicalType(ColumnType type) => type.Type switch
        {
            DataType.Boolean => "BOOLEAN",
            DataType.Short => "SMALLINT",
            DataType.Int => "INTEGER",
            DataType.Long => "BIGINT",
            DataType.Decimal => $"DECIMAL({type.Precision},{type.Scale})",
            DataType.Float => "FLOAT",
            DataType.Double => "DOUBLE",
            DataType.NaiveDate => "DATE",
            DataType.NaiveDateTime => "TIMESTAMP",
            DataType.UtcDateTime => "TIMESTAMP WITH TIME ZONE",
            DataType.Binary => "BLOB",
            DataType.Xml or DataType.String or DataType.Json => "VARCHAR",
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };

        public async ValueTask DisposeAsync()
        {
            foreach (var destination in _opened)
            {
                await destination.DisposeAsync();
            }

            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
