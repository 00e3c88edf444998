using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tributary.Templates.Tests;

/// <summary>
/// A stand-in for a connector's API on 127.0.0.1 and a free port: every GET answers the same JSON body, and the last
/// Authorization header is kept.
/// </summary>
internal sealed class StaticApi : IDisposable
{
    private readonly HttpListener _listener;
    private readonly byte[] _body;
    private readonly Task _serving;

    private StaticApi(HttpListener listener, string body)
    {
        _listener = listener;
        _body = Encoding.UTF8.GetBytes(body);
        _serving = ServeAsync();
    }

    /// <summary>The API's root, ending with <c>/</c>.</summary>
    public Uri BaseUrl => new(_listener.Prefixes.Single());

    /// <summary>The Authorization header of the last request; null before one.</summary>
    public string? Authorization { get; private set; }

    /// <summary>Starts listening on a port the operating system reports free.</summary>
    public static StaticApi Start(string body)
    {
        for (var attempt = 1; ; attempt++)
        {
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{FreePort()}/");
            try
            {
                listener.Start();
                return new StaticApi(listener, body);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();   // taken between the probe and the start: try another
            }
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(10));
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;   // closed
            }

            Authorization = context.Request.Headers["Authorization"];
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(_body);
            context.Response.Close();
        }
    }
}
