using Tributary.Destinations.Delta.Log;

namespace Tributary.Destinations.Delta.Tests.Log;

/// <summary>Actions of a small two-column table, for the log tests.</summary>
internal static class LogSamples
{
    public const string Schema =
        """{"type":"struct","fields":[{"name":"id","type":"long","nullable":false,"metadata":{}},{"name":"name","type":"string","nullable":true,"metadata":{}}]}""";

    public static readonly DeltaProtocol Protocol = new(1, 2);

    public static DeltaMetadata Metadata(string id = "5f1e3b52-3e5c-4d57-9a39-2e8f64b1f6a1") =>
        new(id, Schema, [], new Dictionary<string, string> { ["tributary.primaryKey"] = """["id"]""" }, 1_700_000_000_000);

    public static AddFile Add(string name, long size = 100, long time = 1_700_000_000_000) =>
        new($"{name}.parquet", size, time, true, $$$"""{"numRecords":{{{size / 10}}},"minValues":{"id":1},"maxValues":{"id":{{{size}}}},"nullCount":{"id":0,"name":0}}""");

    public static DeltaCommit Create(params AddFile[] adds) => new("CREATE TABLE", Protocol, Metadata(), adds, []);

    public static DeltaCommit Write(params AddFile[] adds) => new("WRITE", null, null, adds, []);
}
