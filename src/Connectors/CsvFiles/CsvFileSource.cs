namespace Tributary.Connectors.CsvFiles;

/// <summary>One CSV file of a store as listed: its key (the path inside the bucket or container) and its version (ETag).</summary>
internal sealed record CsvFile(string Key, string Version);

/// <summary>An opened file: its bytes and the version those bytes are, which may be newer than the listed one; disposing it
/// disposes the stream and the response that holds it (<paramref name="Response"/>), releasing the connection.</summary>
internal sealed record OpenedCsvFile(Stream Content, string Version, IDisposable? Response = null) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync();
        Response?.Dispose();
    }
}

/// <summary>
/// Where the CSV files live: an S3 bucket or a Blob container. A source only lists and opens files; validating and loading
/// them is <see cref="CsvFileLoader"/>'s. A refused credential or a missing bucket is a <see cref="Sdk.ConfigurationException"/>,
/// an unreachable store a <see cref="Sdk.SourceUnavailableException"/>, each naming the store.
/// </summary>
internal interface ICsvFileSource
{
    /// <summary>The store as a person names it in an error, such as <c>s3://bucket/prefix</c>. Never holds a credential.</summary>
    string Location { get; }

    /// <summary>Every file under the configured prefix whose name ends in <c>.csv</c>, in any order.</summary>
    IAsyncEnumerable<CsvFile> ListAsync(CancellationToken cancellationToken);

    /// <summary>Opens the file's current content; the version returned is the one of those bytes.</summary>
    Task<OpenedCsvFile> OpenAsync(CsvFile file, CancellationToken cancellationToken);
}
