namespace Tributary.Infra.Tests.Support;

/// <summary>The example connectors the deployment must schedule (issue 4), by registered name.</summary>
internal static class ExampleConnectors
{
    public static readonly IReadOnlyList<string> Names =
    [
        "hello",
        "simple_three_step_cursor",
        "configuration",
        "multiple_code_files",
        "specified_types",
        "unspecified_types",
        "three_operations",
        "hashes",
        "base_64_encoding_decoding",
        "truncate_operation",
        "complex_configuration_options",
        "schema_change",
        "tracking_tables",
        "time_window",
        "errors",
        "synthetic",
        "webhook_events",
    ];

    /// <summary>The only connector whose timer is on by default.</summary>
    public const string EnabledByDefault = "hello";
}
