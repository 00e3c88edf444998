using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.Errors;

/// <summary>
/// Failing well: validate early, wrap a failure in an error that says what was being done and keeps its
/// cause, and fail before anything is written so the state stays where it was.
/// </summary>
[Connector("errors", Description = "Simulates a failure at a chosen step (error_simulation_type 1-5) or succeeds (0).")]
public sealed partial class ErrorsConnector : Connector
{
    private const string Table = "demo_response_test";
    private const string SimulationKey = "error_simulation_type";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition(Table) { PrimaryKey = ["key"] }];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        // Validate the configuration before anything else: a missing key fails with a message naming it.
        var simulation = context.Configuration.GetString(SimulationKey);
        LogSimulation(context.Logger, simulation);

        var start = context.TimeProvider.GetUtcNow();

        var demoConfig = ReadConfiguration(context, simulation);           // "1" fails here
        CheckState(context, simulation);                                   // "2" fails here
        var generated = GenerateData(context, demoConfig, simulation);    // "3" fails here
        var (row, newState) = ProcessData(context, start, demoConfig, generated, simulation); // "4" fails here
        await UpsertAsync(context, row, simulation, cancellationToken);    // "5" fails here

        await context.CheckpointAsync(newState, cancellationToken);
    }

    private static string ReadConfiguration(SyncContext context, string simulation)
    {
        if (simulation == "1")
        {
            // A missing setting is a configuration problem: its own exception type, and not retried.
            LogCriticalError(context.Logger, "Missing required configuration", "demo_config missing from configuration");
            throw new ConfigurationException("CRITICAL ERROR: Missing required configuration: 'demo_config' missing from configuration.");
        }

        var demoConfig = context.Configuration.GetString("demo_config", "default");
        LogDemoConfiguration(context.Logger, demoConfig);
        return demoConfig;
    }

    private static void CheckState(SyncContext context, string simulation)
    {
        var cursor = context.State["cursor"]?.ToJsonString() ?? "none";
        LogCursor(context.Logger, cursor);

        if (simulation == "2")
        {
            throw CriticalError(context, "Invalid state format detected", details: null, inner: null);
        }
    }

    private static GeneratedData GenerateData(SyncContext context, string demoConfig, string simulation)
    {
        try
        {
            if (simulation == "3")
            {
                throw new InvalidOperationException("Failed to generate data: simulated data generation error.");
            }

            return new GeneratedData(
                $"Simulated response for config: {demoConfig}",
                UnixSeconds(context.TimeProvider.GetUtcNow()),
                Random.Shared.Next(1, 101));
        }
        catch (InvalidOperationException ex)
        {
            throw CriticalError(context, "Error during data generation", ex.Message, ex);
        }
    }

    private static (Dictionary<string, object?> Row, JsonObject NewState) ProcessData(
        SyncContext context,
        DateTimeOffset start,
        string demoConfig,
        GeneratedData generated,
        string simulation)
    {
        try
        {
            var row = new Dictionary<string, object?>
            {
                ["key"] = UnixSeconds(start),
                ["request"] = demoConfig,
                ["result"] = generated.Response,
                // Text that holds JSON: a STRING column, as in the Python example.
                ["metadata"] = JsonSerializer.Serialize(new JsonObject
                {
                    ["timestamp"] = generated.Timestamp,
                    ["random_value"] = generated.RandomValue,
                }),
            };

            if (simulation == "4")
            {
                throw new InvalidOperationException("Data processing error: simulated error during processing.");
            }

            var cursor = context.TimeProvider.GetLocalNow().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            return (row, new JsonObject { ["cursor"] = cursor });
        }
        catch (InvalidOperationException ex)
        {
            throw CriticalError(context, "Error processing data", ex.Message, ex);
        }
    }

    private static async Task UpsertAsync(SyncContext context, Dictionary<string, object?> row, string simulation, CancellationToken cancellationToken)
    {
        try
        {
            if (simulation == "5")
            {
                throw new InvalidOperationException("Database operation failed: simulated database error.");
            }

            await context.UpsertAsync(Table, row, cancellationToken);
            LogUpserted(context.Logger);
        }
        catch (InvalidOperationException ex)
        {
            throw CriticalError(context, "Error during upsert operation", ex.Message, ex);
        }
    }

    /// <summary>Logs a failure and returns the exception that fails the sync, keeping its cause.</summary>
    private static InvalidOperationException CriticalError(SyncContext context, string message, string? details, Exception? inner)
    {
        LogCriticalError(context.Logger, message, details ?? "none");
        return new InvalidOperationException($"CRITICAL ERROR: {message}", inner);
    }

    private static double UnixSeconds(DateTimeOffset timestamp) => timestamp.ToUnixTimeMilliseconds() / 1000.0;

    private sealed record GeneratedData(string Response, double Timestamp, int RandomValue);

    [LoggerMessage(EventId = 1900, Level = LogLevel.Information, Message = "Error simulation type: {Simulation}")]
    private static partial void LogSimulation(ILogger logger, string simulation);

    [LoggerMessage(EventId = 1901, Level = LogLevel.Information, Message = "Demo configuration: {DemoConfig}")]
    private static partial void LogDemoConfiguration(ILogger logger, string demoConfig);

    [LoggerMessage(EventId = 1902, Level = LogLevel.Information, Message = "Current cursor: {Cursor}")]
    private static partial void LogCursor(ILogger logger, string cursor);

    [LoggerMessage(EventId = 1903, Level = LogLevel.Information, Message = "Data successfully upserted")]
    private static partial void LogUpserted(ILogger logger);

    [LoggerMessage(EventId = 1904, Level = LogLevel.Error, Message = "CRITICAL ERROR: {ErrorMessage} (details: {Details})")]
    private static partial void LogCriticalError(ILogger logger, string errorMessage, string details);
}
