using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace Tributary.Scale;

/// <summary>The coordinator's handle on one instance process: commands to its standard input, replies from its output, its
/// log (standard error) to <c>instance.log</c> in its folder.</summary>
internal sealed class InstanceProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StreamWriter _log;

    private InstanceProcess(string name, string directory, Process process, StreamWriter log)
    {
        Name = name;
        Directory = directory;
        _process = process;
        _log = log;
    }

    public string Name { get; }

    public string Directory { get; }

    /// <summary>The storage requests it reported last.</summary>
    public long Requests { get; private set; }

    public bool Killed { get; private set; }

    public static InstanceProcess Start(string name, string directory, string settingsPath)
    {
        System.IO.Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["exec", typeof(Instance).Assembly.Location, "instance", settingsPath, name, directory])
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StreamWriter(Path.Combine(directory, "instance.log")) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start an instance process.");
        var instance = new InstanceProcess(name, directory, process, log);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                instance._lines.Writer.TryComplete();
            }
            else
            {
                instance._lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (log)
                {
                    log.WriteLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return instance;
    }

    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>
    /// Waits for the reply starting with <paramref name="word"/>, handing each <c>started</c> line on the way to
    /// <paramref name="onStarted"/>; <see langword="null"/> when the process ended first (it was killed).
    /// </summary>
    public async Task<string?> ExpectAsync(string word, TimeSpan timeout, Action<string>? onStarted = null)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(cancel.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    if (line.StartsWith("started ", StringComparison.Ordinal))
                    {
                        onStarted?.Invoke(line["started ".Length..]);
                    }
                    else if (line.StartsWith(word, StringComparison.Ordinal))
                    {
                        var parts = line.Split(' ');
                        if (parts is ["idle" or "bye", var requests])
                        {
                            Requests = long.Parse(requests, CultureInfo.InvariantCulture);
                        }

                        return line;
                    }
                    else
                    {
                        throw new InvalidOperationException($"Instance {Name} answered '{line}' where '{word}' was expected; see {Directory}/instance.log.");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"Instance {Name} did not answer '{word}' within {timeout}; see {Directory}/instance.log.");
        }

        if (Killed)
        {
            return null;
        }

        throw new InvalidOperationException($"Instance {Name} exited with code {ExitCode()} before answering '{word}'; see {Directory}/instance.log.");
    }

    /// <summary>SIGKILL: the process ends at once, its leases and in-flight messages left as they are.</summary>
    public void Kill()
    {
        Killed = true;
        _process.Kill();
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
    }

    private string ExitCode()
    {
        _process.WaitForExit(TimeSpan.FromSeconds(5));
        return _process.HasExited ? _process.ExitCode.ToString(CultureInfo.InvariantCulture) : "(still running)";
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }
}
