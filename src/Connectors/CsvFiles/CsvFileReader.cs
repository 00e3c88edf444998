using System.Runtime.CompilerServices;
using CsvHelper;

namespace Tributary.Connectors.CsvFiles;

/// <summary>A problem with the whole file: where the reading stopped, and why. Nothing of the file is loaded.</summary>
internal sealed record FileProblem(long Line, string Field, string Reason);

/// <summary>One line of a file: its number (where it starts), and either the required columns' text or what is wrong with it.</summary>
internal sealed record CsvLine(long Line, IReadOnlyList<string>? Fields, FieldProblem? Problem);

/// <summary>
/// A file copied to a local temporary file (deleted when this is disposed) so that it can be read twice: once to the end to
/// check that it is CSV with the required columns, and then, only if it is, line by line to be loaded. A file that breaks
/// half way is thus rejected whole instead of being loaded up to the break.
/// </summary>
internal sealed class CsvFileReader : IAsyncDisposable
{
    // Quoting that breaks the rules is an error (it would silently merge lines); a line with another number of fields than
    // the header is a reject of that line, found by comparing the counts.
    private static readonly CsvReaderOptions Options = new()
    {
        Separator = ',',
        HasHeader = true,
        MalformedData = CsvMalformedDataHandling.Throw,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        SkipEmptyLines = true,
        TrackLineNumbers = true,
        MaxRecordSize = 1024 * 1024,
    };

    private readonly FileStream _copy;

    private CsvFileReader(FileStream copy) => _copy = copy;

    /// <summary>Copies <paramref name="content"/> to a temporary file.</summary>
    public static async Task<CsvFileReader> CopyAsync(Stream content, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), "tributary-csv-" + Path.GetRandomFileName());
        var copy = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await content.CopyToAsync(copy, cancellationToken);
            return new CsvFileReader(copy);
        }
        catch
        {
            await copy.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reads the whole file: null when every line can be read and the header has every required column.</summary>
    public async Task<FileProblem?> CheckAsync(CancellationToken cancellationToken)
    {
        _copy.Position = 0;
        await using var csv = CsvReader.Create(_copy, Options, leaveOpen: true);
        try
        {
            await csv.ReadHeaderAsync(cancellationToken);
            if (csv.Headers.Count == 0)
            {
                return new FileProblem(1, CsvFilesSchema.WholeFile, "the file is empty: it has no header line");
            }

            foreach (var (column, _, _) in CsvRowValidator.Columns)
            {
                if (!csv.TryGetFieldIndex(column, out _))
                {
                    return new FileProblem(1, column, $"the header has no column '{column}'");
                }
            }

            while (await csv.ReadAsync(cancellationToken))
            {
            }

            return null;
        }
        catch (CsvFormatException ex)
        {
            return new FileProblem(Math.Max(ex.LineNumber, 1), CsvFilesSchema.WholeFile, $"not readable as CSV: {FirstLine(ex.Message)}");
        }
    }

    /// <summary>The lines of a file that <see cref="CheckAsync"/> passed, each with the required columns in
    /// <see cref="CsvRowValidator.Columns"/>' order.</summary>
    public async IAsyncEnumerable<CsvLine> LinesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _copy.Position = 0;
        await using var csv = CsvReader.Create(_copy, Options, leaveOpen: true);
        await csv.ReadHeaderAsync(cancellationToken);
        var headerCount = csv.Headers.Count;
        var indexes = CsvRowValidator.Columns.Select(c => csv.GetFieldIndex(c.CsvColumn)).ToArray();
        while (await csv.ReadAsync(cancellationToken))
        {
            var line = (long)csv.LineNumber;
            if (csv.FieldCount != headerCount)
            {
                yield return new CsvLine(line, null, new FieldProblem(
                    CsvFilesSchema.WholeLine, null, $"{csv.FieldCount} fields where the header has {headerCount}"));
                continue;
            }

            yield return new CsvLine(line, Array.ConvertAll(indexes, i => csv.GetString(i)), null);
        }
    }

    public ValueTask DisposeAsync() => _copy.DisposeAsync();

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
