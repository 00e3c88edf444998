using Microsoft.Azure.Functions.Worker;
using Tributary.FunctionsHost.Api;

namespace Tributary.FunctionsHost.Functions;

/// <summary>
/// One timer per connector, its schedule the app setting <c>Connectors__&lt;name&gt;__Schedule</c> (the host resolves
/// <c>%Connectors:&lt;name&gt;:Schedule%</c> from settings when it indexes the function). A timer trigger's schedule is fixed
/// per function, so each connector needs its own three lines here; everything else is shared. A test fails when a connector
/// of the catalog has no timer here, naming the line to add.
/// </summary>
/// <param name="scheduler">Queues the run.</param>
public sealed class ConnectorTimers(ConnectorScheduler scheduler)
{
    /// <summary>Runs <c>hello</c> on <c>Connectors__hello__Schedule</c>.</summary>
    [Function("timer_hello")]
    public Task Hello([TimerTrigger("%Connectors:hello:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("hello", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>simple_three_step_cursor</c> on <c>Connectors__simple_three_step_cursor__Schedule</c>.</summary>
    [Function("timer_simple_three_step_cursor")]
    public Task SimpleThreeStepCursor([TimerTrigger("%Connectors:simple_three_step_cursor:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("simple_three_step_cursor", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>configuration</c> on <c>Connectors__configuration__Schedule</c>.</summary>
    [Function("timer_configuration")]
    public Task Configuration([TimerTrigger("%Connectors:configuration:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("configuration", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>multiple_code_files</c> on <c>Connectors__multiple_code_files__Schedule</c>.</summary>
    [Function("timer_multiple_code_files")]
    public Task MultipleCodeFiles([TimerTrigger("%Connectors:multiple_code_files:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("multiple_code_files", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>specified_types</c> on <c>Connectors__specified_types__Schedule</c>.</summary>
    [Function("timer_specified_types")]
    public Task SpecifiedTypes([TimerTrigger("%Connectors:specified_types:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("specified_types", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>unspecified_types</c> on <c>Connectors__unspecified_types__Schedule</c>.</summary>
    [Function("timer_unspecified_types")]
    public Task UnspecifiedTypes([TimerTrigger("%Connectors:unspecified_types:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("unspecified_types", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>three_operations</c> on <c>Connectors__three_operations__Schedule</c>.</summary>
    [Function("timer_three_operations")]
    public Task ThreeOperations([TimerTrigger("%Connectors:three_operations:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("three_operations", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>hashes</c> on <c>Connectors__hashes__Schedule</c>.</summary>
    [Function("timer_hashes")]
    public Task Hashes([TimerTrigger("%Connectors:hashes:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("hashes", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>base_64_encoding_decoding</c> on <c>Connectors__base_64_encoding_decoding__Schedule</c>.</summary>
    [Function("timer_base_64_encoding_decoding")]
    public Task Base64EncodingDecoding([TimerTrigger("%Connectors:base_64_encoding_decoding:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("base_64_encoding_decoding", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>truncate_operation</c> on <c>Connectors__truncate_operation__Schedule</c>.</summary>
    [Function("timer_truncate_operation")]
    public Task TruncateOperation([TimerTrigger("%Connectors:truncate_operation:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("truncate_operation", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>complex_configuration_options</c> on <c>Connectors__complex_configuration_options__Schedule</c>.</summary>
    [Function("timer_complex_configuration_options")]
    public Task ComplexConfigurationOptions([TimerTrigger("%Connectors:complex_configuration_options:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("complex_configuration_options", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>schema_change</c> on <c>Connectors__schema_change__Schedule</c>.</summary>
    [Function("timer_schema_change")]
    public Task SchemaChange([TimerTrigger("%Connectors:schema_change:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("schema_change", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>tracking_tables</c> on <c>Connectors__tracking_tables__Schedule</c>.</summary>
    [Function("timer_tracking_tables")]
    public Task TrackingTables([TimerTrigger("%Connectors:tracking_tables:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("tracking_tables", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>time_window</c> on <c>Connectors__time_window__Schedule</c>.</summary>
    [Function("timer_time_window")]
    public Task TimeWindow([TimerTrigger("%Connectors:time_window:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("time_window", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>errors</c> on <c>Connectors__errors__Schedule</c>.</summary>
    [Function("timer_errors")]
    public Task Errors([TimerTrigger("%Connectors:errors:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("errors", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>synthetic</c> on <c>Connectors__synthetic__Schedule</c>.</summary>
    [Function("timer_synthetic")]
    public Task Synthetic([TimerTrigger("%Connectors:synthetic:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("synthetic", timer.IsPastDue, cancellationToken);

    /// <summary>Runs <c>webhook_events</c> on <c>Connectors__webhook_events__Schedule</c>.</summary>
    [Function("timer_webhook_events")]
    public Task WebhookEvents([TimerTrigger("%Connectors:webhook_events:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.OnTimerAsync("webhook_events", timer.IsPastDue, cancellationToken);
}
