using System.Data.Common;
using System.Net;
using System.Text.Json.Serialization;
using Tributary.Sdk;

namespace Tributary.Runtime.State;

/// <summary>What kind of error failed a run, which decides whether it is retried.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunErrorKind>))]
public enum RunErrorKind
{
    /// <summary>
    /// The configuration is wrong (a missing key, a bad value, an unknown connector or destination, a missing secret): the run
    /// fails once and is not retried, since retrying cannot help until the configuration changes.
    /// </summary>
    Configuration,

    /// <summary>
    /// A transient failure of a service (a database's transient error, storage 5xx or a timeout, a source's HTTP 5xx or 429):
    /// a host retries the run with backoff; each attempt starts from the last checkpoint.
    /// </summary>
    Transient,

    /// <summary>Anything else (bad data, a bug, a lost lease): the run fails and is not retried.</summary>
    Fatal,
}

/// <summary>Sorts exceptions into <see cref="RunErrorKind"/>s.</summary>
public static class RunErrors
{
    /// <summary>
    /// The kind of <paramref name="exception"/>: the first exception along its chain of inner exceptions, outermost first,
    /// that is a configuration error (<see cref="ConfigurationException"/>) or transient (<see cref="SourceUnavailableException"/>,
    /// a <see cref="DbException"/> whose <see cref="DbException.IsTransient"/> is set — Npgsql's included, a
    /// <see cref="TimeoutException"/>, an <see cref="HttpRequestException"/> without a status or with 408, 429 or 5xx, or
    /// whatever <paramref name="isTransient"/> accepts) decides; otherwise <see cref="RunErrorKind.Fatal"/>.
    /// </summary>
    /// <param name="exception">The error that failed the run.</param>
    /// <param name="isTransient">What else a host knows to be transient (storage errors); optional.</param>
    public static RunErrorKind Classify(Exception exception, Func<Exception, bool>? isTransient = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is ConfigurationException)
            {
                return RunErrorKind.Configuration;
            }

            if (IsTransient(current) || isTransient?.Invoke(current) == true)
            {
                return RunErrorKind.Transient;
            }

            if (current is ConnectorBusyException)
            {
                return RunErrorKind.Fatal;   // the lease was lost: the run that holds it now carries the sync on
            }
        }

        return RunErrorKind.Fatal;
    }

    private static bool IsTransient(Exception exception) => exception switch
    {
        SourceUnavailableException or TimeoutException => true,
        DbException db => db.IsTransient,
        HttpRequestException http => http.StatusCode is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError,
        _ => false,
    };
}
