using System.Text;
using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Tests.Log;

/// <summary>What every lake storage must do alike, run on a folder and on a container.</summary>
internal static class StorageBehaviour
{
    public static async Task ExclusiveCreateAsync(ILakeStorage storage, CancellationToken ct)
    {
        var first = await storage.TryCreateAsync("s/t/_delta_log/00000000000000000000.json", "first"u8.ToArray(), ct);
        var second = await storage.TryCreateAsync("s/t/_delta_log/00000000000000000000.json", "second"u8.ToArray(), ct);

        Assert.True(first);
        Assert.False(second);
        Assert.Equal("first", Encoding.UTF8.GetString((await storage.ReadAsync("s/t/_delta_log/00000000000000000000.json", ct))!));
        Assert.Single(await storage.ListAsync("s/t", ct).ToListAsync(ct)); // no temp file left behind
    }

    /// <summary>
    /// Several writers create one name at once, over and over: each time exactly one succeeds and its content is what
    /// the name holds. A check-then-rename lets two of them win about once in fifty rounds on two cores.
    /// </summary>
    public static async Task RacingCreatesAsync(ILakeStorage storage, int rounds, CancellationToken ct)
    {
        const int writers = 4;
        for (var round = 0; round < rounds; round++)
        {
            var path = $"s/t/_delta_log/{round:D20}.json";
            using var start = new ManualResetEventSlim();
            var racers = Enumerable.Range(0, writers)
                .Select(writer => Task.Run(async () =>
                {
                    start.Wait(ct);
                    return await storage.TryCreateAsync(path, Encoding.UTF8.GetBytes($"writer {writer}"), ct);
                }, ct))
                .ToArray();
            start.Set();
            var won = await Task.WhenAll(racers);

            var winner = Assert.Single(Enumerable.Range(0, writers), writer => won[writer]);
            Assert.Equal($"writer {winner}", Encoding.UTF8.GetString((await storage.ReadAsync(path, ct))!));
        }

        Assert.Equal(rounds, (await storage.ListAsync("s/t", ct).ToListAsync(ct)).Count); // no temp file left behind
    }

    public static async Task FilesAsync(ILakeStorage storage, CancellationToken ct)
    {
        var local = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(local, "parquet bytes", ct);
            await storage.UploadFileAsync("s/t/a.parquet", local, ct);
            await storage.WriteAsync("s/t/_delta_log/_last_checkpoint", "{}"u8.ToArray(), ct);
            await storage.WriteAsync("s/t/_delta_log/_last_checkpoint", "{\"version\":10}"u8.ToArray(), ct);
            await storage.WriteAsync("s/t2/b.parquet", "other table"u8.ToArray(), ct);

            var listed = await storage.ListAsync("s/t/", ct).ToListAsync(ct);
            Assert.Equal(["s/t/_delta_log/_last_checkpoint", "s/t/a.parquet"], listed.Select(file => file.Path).Order(StringComparer.Ordinal));
            Assert.Equal(13, Assert.Single(listed, file => file.Path == "s/t/a.parquet").Size);
            Assert.Equal(["t", "t2"], (await storage.ListFoldersAsync("s", ct).ToListAsync(ct)).Order(StringComparer.Ordinal));
            Assert.Equal(["_delta_log"], await storage.ListFoldersAsync("s/t/", ct).ToListAsync(ct));
            Assert.Equal(["s"], await storage.ListFoldersAsync("", ct).ToListAsync(ct));
            Assert.Empty(await storage.ListFoldersAsync("s/t/_delta_log", ct).ToListAsync(ct));
            Assert.Empty(await storage.ListFoldersAsync("nowhere", ct).ToListAsync(ct));
            Assert.Equal("{\"version\":10}", Encoding.UTF8.GetString((await storage.ReadAsync("s/t/_delta_log/_last_checkpoint", ct))!));
            Assert.Null(await storage.ReadAsync("s/t/missing.json", ct));
            Assert.Null(await storage.ReadAsync("nowhere/missing.json", ct));
            await Assert.ThrowsAsync<FileNotFoundException>(() => storage.DownloadFileAsync("s/t/missing.parquet", local, ct));
            await Assert.ThrowsAsync<ArgumentException>(() => storage.ReadAsync("s/../t/a.parquet", ct));

            var copy = await storage.LocalPathAsync("s/t/a.parquet", ct);
            Assert.Equal("parquet bytes", await File.ReadAllTextAsync(copy, ct));

            await storage.DeletePrefixAsync("s/t", ct);
            await storage.DeleteAsync("s/t/a.parquet", ct);
            await storage.DeleteAsync("nowhere/a.parquet", ct);
            Assert.Empty(await storage.ListAsync("s/t", ct).ToListAsync(ct));
            Assert.Empty(await storage.ListAsync("nowhere", ct).ToListAsync(ct));
            Assert.Equal("s/t2/b.parquet", Assert.Single(await storage.ListAsync("", ct).ToListAsync(ct)).Path);
            await Assert.ThrowsAsync<ArgumentException>(() => storage.DeletePrefixAsync("", ct));
        }
        finally
        {
            File.Delete(local);
        }
    }
}
