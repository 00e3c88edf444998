using System.Reflection;
using Azure.Core;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tributary.Azure.Queue;
using Tributary.Azure.Secrets;
using Tributary.Azure.State;
using Tributary.Connectors.Hello;
using Tributary.Runtime;
using Tributary.Runtime.Secrets;
using Tributary.Sdk.Testing;

namespace Tributary.FunctionsHost.Tests.Support;

/// <summary>
/// The host's services, composed by <see cref="TributaryFunctionsServiceCollectionExtensions.AddTributaryFunctions"/> against
/// Azurite and the Key Vault fake, with every HTTP function method mounted on a TestServer at its own route, methods and
/// authorization level (a function key is required unless the trigger is anonymous, as the Functions host does). Each
/// instance has its own state container, run queue, files folder and fake clock.
/// </summary>
public sealed class FunctionsApp : IAsyncDisposable
{
    public const string FunctionKey = "test-function-key";

    private readonly WebApplication _app;

    private FunctionsApp(WebApplication app, string files, QueueClient queue, FakeTimeProvider time, CapturingLoggerProvider logs)
    {
        _app = app;
        Files = files;
        Queue = queue;
        Time = time;
        Logs = logs;
    }

    public IServiceProvider Services => _app.Services;

    public string Files { get; }

    public QueueClient Queue { get; }

    public FakeTimeProvider Time { get; }

    public CapturingLoggerProvider Logs { get; }

    public BlobStateStore Store => Services.GetRequiredService<BlobStateStore>();

    public HttpClient CreateClient(bool withKey = true)
    {
        var client = _app.GetTestClient();
        if (withKey)
        {
            client.DefaultRequestHeaders.Add("x-functions-key", FunctionKey);
        }

        return client;
    }

    public T Function<T>() where T : class => ActivatorUtilities.CreateInstance<T>(Services);

    /// <summary>
    /// Settings every test app has: Azurite, a files folder, and a connection named after each connector the tests run —
    /// hello on a schedule, the rest disabled or with no schedule.
    /// </summary>
    public static Dictionary<string, string?> BaseSettings(AzuriteFixture azurite, string files, string container) => new()
    {
        ["TributaryStorage"] = azurite.ConnectionString,
        ["Tributary:Files"] = files,
        ["Tributary:StateStore:ContainerName"] = container,
        ["Connections:hello:Connector"] = "hello",
        ["Connections:hello:Schedule"] = "0 */5 * * * *",
        ["Connections:hello:Enabled"] = "true",
        ["Connections:synthetic:Connector"] = "synthetic",
        ["Connections:synthetic:Schedule"] = "0 0 * * * *",
        ["Connections:synthetic:Enabled"] = "false",
        ["Connections:synthetic:Configuration:rows"] = "1000",
        ["Connections:paced_synthetic:Connector"] = "paced_synthetic",
        ["Connections:paced_synthetic:Destination"] = "duckdb",   // the tests read its rows from warehouse.db
        ["Connections:paced_synthetic:Configuration:rows"] = "40000",
        ["Connections:paced_synthetic:Configuration:checkpoint_every"] = "2000",
        ["Connections:errors:Connector"] = "errors",
        ["Connections:errors:Destination"] = "duckbd",
        ["Connections:stalling:Connector"] = "stalling",
        ["Connections:scripted_webhook:Connector"] = "scripted_webhook",
        ["Connections:scripted_webhook:Destination"] = "duckdb",
        ["Connections:webhook_events:Connector"] = "webhook_events",
        ["Connections:webhook_events:Destination"] = "duckdb",
    };

    /// <param name="azurite">The emulator.</param>
    /// <param name="secrets">The secret store the app uses (Key Vault through the fake, or an unreachable one).</param>
    /// <param name="settings">Extra or replaced settings.</param>
    public static async Task<FunctionsApp> StartAsync(AzuriteFixture azurite, ISecretStore secrets, IDictionary<string, string?>? settings = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var files = Directory.CreateTempSubdirectory("tributary-functions-").FullName;
        var values = BaseSettings(azurite, files, "state-" + suffix);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        var logs = new CapturingLoggerProvider();
        var queue = azurite.CreateQueueClient("runs-" + suffix);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<TokenCredential>(new StubTokenCredential());
        builder.Services.AddSingleton(secrets);
        builder.Services.AddSingleton(new RunQueue(queue));
        builder.Services.AddSingleton(new ConnectorCatalog(typeof(HelloConnector).Assembly, typeof(PacedSyntheticForHost).Assembly, typeof(OrgEchoConnector).Assembly));
        builder.Services.AddTributaryFunctions(builder.Configuration);
        builder.Services.AddMvcCore();
        builder.Services.AddRouting();
        var app = builder.Build();
        MapHttpFunctions(app);
        await app.StartAsync();
        await queue.CreateIfNotExistsAsync();
        return new FunctionsApp(app, files, queue, time, logs);
    }

    /// <summary>Receives and deletes the next run message, or <see langword="null"/> when the queue is empty.</summary>
    public async Task<RunMessage?> DequeueAsync()
    {
        var message = (await Queue.ReceiveMessageAsync()).Value;
        if (message is null)
        {
            return null;
        }

        await Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        return RunMessage.Parse(message.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Logs.Dispose();
        try
        {
            Directory.Delete(Files, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <summary>Every public function class of the host assembly.</summary>
    public static IEnumerable<Type> FunctionClasses => typeof(TributaryFunctionsServiceCollectionExtensions).Assembly.GetExportedTypes()
        .Where(type => type.GetMethods().Any(method => method.GetCustomAttribute<FunctionAttribute>() is not null));

    private static void MapHttpFunctions(WebApplication app)
    {
        foreach (var type in FunctionClasses)
        {
            foreach (var method in type.GetMethods())
            {
                var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null);
                if (trigger is null)
                {
                    continue;
                }

                app.MapMethods("/api/" + trigger.Route, trigger.Methods!.Select(m => m.ToUpperInvariant()), async context =>
                {
                    if (trigger.AuthLevel != AuthorizationLevel.Anonymous
                        && context.Request.Headers["x-functions-key"] != FunctionKey && context.Request.Query["code"] != FunctionKey)
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return;
                    }

                    var instance = ActivatorUtilities.CreateInstance(context.RequestServices, type);
                    var arguments = method.GetParameters().Select(parameter =>
                        parameter.ParameterType == typeof(HttpRequest) ? context.Request
                        : parameter.ParameterType == typeof(CancellationToken) ? context.RequestAborted
                        : (object?)context.GetRouteValue(parameter.Name!)?.ToString()).ToArray();
                    var result = await (Task<IActionResult>)method.Invoke(instance, arguments)!;
                    await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
                });
            }
        }
    }

    /// <summary>A Key Vault secret store on the fake vault.</summary>
    public static ISecretStore KeyVault(FakeKeyVault vault) => new KeyVaultSecretStore(vault.CreateClient());
}
