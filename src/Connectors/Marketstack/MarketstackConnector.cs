using System.Globalization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.Marketstack;

/// <summary>
/// Cursors over two dimensions: end-of-day prices from Marketstack's <c>v1/eod</c> for a list of tickers, over a date
/// window (<c>ticker_start_cursor</c> to <c>ticker_end_cursor</c>) walked one ticker at a time (<c>ticker_offset</c>).
/// A checkpoint after each ticker lets a failed sync resume at the next ticker of the same window; once every ticker is
/// read, the next window runs from the end of this one to the day the next sync runs.
/// </summary>
[Connector("marketstack", Description = "End-of-day stock prices from Marketstack for a list of tickers, a date window and a ticker cursor in state.")]
public sealed partial class MarketstackConnector : Connector
{
    private const string Table = "tickers_price";
    private const string DefaultTickers = "AAPL,MSFT,GOOG,INTC";

    /// <summary>How far back the first sync reads, as in the original.</summary>
    private const int InitialDays = 15;

    /// <summary>Marketstack's largest page.</summary>
    private const int MaxPageLimit = 1000;

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition(Table) { PrimaryKey = ["symbol", "date"] }];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tickers = Tickers(context.Configuration);
        var pageLimit = context.Configuration.GetInt32("page_limit", MaxPageLimit);
        if (pageLimit is < 1 or > MaxPageLimit)
        {
            throw new ConfigurationException($"Configuration key 'page_limit' must be from 1 to {MaxPageLimit}; got {pageLimit}.");
        }

        var state = Window(context.ReadState<TickerCursor>(), DateOnly.FromDateTime(context.TimeProvider.GetUtcNow().UtcDateTime), tickers.Length);
        LogWindow(context.Logger, state.StartCursor!, state.EndCursor!, state.TickerOffset, tickers.Length);

        // The access key goes where Marketstack's protocol puts it, the access_key query parameter; the toolkit masks it
        // in every URI it reports.
        var apiKey = await context.GetSecretAsync("api_key", cancellationToken);
        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = context.Configuration.GetUri("base_url", "https://api.marketstack.com/v1/"),
            Authenticator = ApiKeyAuthenticator.InQuery("access_key", apiKey),
        });

        for (var index = state.TickerOffset; index < tickers.Length; index++)
        {
            var request = new RestRequest("eod") { RecordsPath = "data" };
            request.Query["symbols"] = tickers[index];
            request.Query["date_from"] = state.StartCursor!;
            request.Query["date_to"] = state.EndCursor!;

            // limit and offset; pagination.total says when the last page is read.
            var paginator = new OffsetPaginator { Limit = pageLimit, TotalPath = "pagination.total" };
            var prices = 0;
            await foreach (var price in client.GetRecordsAsync(request, paginator, cancellationToken))
            {
                await context.UpsertAsync(Table, price, cancellationToken);
                prices++;
            }

            LogTicker(context.Logger, tickers[index], prices);

            // After the last ticker the window is done: the next one starts where it ended (that day is read again, as
            // its end-of-day prices may not have been final) and ends on the day the next sync runs.
            state = index + 1 < tickers.Length
                ? new TickerCursor { TickerOffset = index + 1, StartCursor = state.StartCursor, EndCursor = state.EndCursor }
                : new TickerCursor { TickerOffset = 0, StartCursor = state.EndCursor, EndCursor = state.EndCursor };
            await context.CheckpointAsync(state, cancellationToken);
        }
    }

    /// <summary>The window this sync reads: the saved one while a ticker of it is left, a new one ending today otherwise.</summary>
    private static TickerCursor Window(TickerCursor saved, DateOnly today, int tickers)
    {
        var todayText = Format(today);
        if (saved.StartCursor is null || saved.EndCursor is null)
        {
            return new TickerCursor { TickerOffset = 0, StartCursor = Format(today.AddDays(-InitialDays)), EndCursor = todayText };
        }

        // An unfinished window resumes at its next ticker; a finished one (or a ticker list that shrank) moves on.
        return saved.TickerOffset > 0 && saved.TickerOffset < tickers
            ? saved
            : new TickerCursor { TickerOffset = 0, StartCursor = saved.StartCursor, EndCursor = todayText };
    }

    private static string[] Tickers(ConnectorConfiguration configuration)
    {
        var tickers = configuration.GetString("tickers", DefaultTickers)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return tickers.Length > 0 && tickers.All(t => t.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-'))
            ? tickers
            : throw new ConfigurationException("Configuration key 'tickers' must be a comma-separated list of ticker symbols, for example 'AAPL,MSFT'.");
    }

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 2250, Level = LogLevel.Information, Message = "Reading {From} to {To} from ticker {TickerOffset} of {Tickers}")]
    private static partial void LogWindow(ILogger logger, string from, string to, int tickerOffset, int tickers);

    [LoggerMessage(EventId = 2251, Level = LogLevel.Information, Message = "Read {Count} end-of-day prices of {Ticker}")]
    private static partial void LogTicker(ILogger logger, string ticker, int count);
}
