using System.Text.RegularExpressions;
using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

/// <summary>The Delta Lake account (infra/modules/lake.bicep): ADLS Gen2 without keys, its container, its role and the app setting.</summary>
[Collection(InfraCollection.Name)]
public sealed partial class LakeTests(InfraFixture fixture)
{
    private const string StorageAccountType = "Microsoft.Storage/storageAccounts";
    private const string ContainerType = "Microsoft.Storage/storageAccounts/blobServices/containers";
    private const string RoleAssignmentType = "Microsoft.Authorization/roleAssignments";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string DeltaUriSetting = "Tributary__Destination__Delta__Uri";

    [Fact]
    public void LakeAccount_Compiled_IsAdlsGen2WithSharedKeysOff()
    {
        var account = fixture.Template.Single(StorageAccountType, "main/lake").Node;

        Assert.Equal("StorageV2", account.String("kind"));
        Assert.True(account.Bool("properties.isHnsEnabled"));
        Assert.False(account.Bool("properties.allowSharedKeyAccess"));
        Assert.Equal("TLS1_2", account.String("properties.minimumTlsVersion"));
        Assert.True(account.Bool("properties.supportsHttpsTrafficOnly"));
        Assert.False(account.Bool("properties.allowBlobPublicAccess"));
    }

    [Fact]
    public void LakeAccount_Snapshot_HoldsOnlyThePrivateLakeContainer()
    {
        foreach (var snapshot in fixture.Snapshots.Append(fixture.ConnectionsSnapshot))
        {
            var account = snapshot.LakeAccount.String("name");
            var containers = snapshot.OfType(ContainerType).Where(c => c.String("name").StartsWith($"{account}/", StringComparison.Ordinal)).ToList();

            var container = Assert.Single(containers);
            Assert.Equal($"{account}/default/lake", container.String("name"));
            Assert.Equal("None", container.String("properties.publicAccess"));
            Assert.True(snapshot.LakeAccount.Bool("properties.isHnsEnabled"));
            Assert.NotEqual(snapshot.RuntimeStorageAccount.String("id"), snapshot.LakeAccount.String("id"));
        }
    }

    [Fact]
    public void LakeRole_Snapshot_BlobDataContributorForAppAndDeployerScopedToTheLake()
    {
        foreach (var (snapshot, deployer) in new[] { (fixture.DefaultSnapshot, "11111111-1111-1111-1111-111111111111 User"), (fixture.PostgresSnapshot, "22222222-2222-2222-2222-222222222222 ServicePrincipal") })
        {
            var lake = snapshot.LakeAccount.String("id");
            var identity = snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities").String("id");
            var onLake = snapshot.OfType(RoleAssignmentType).Where(assignment => IsScopedTo(assignment.String("id"), lake)).ToList();
            var contributors = snapshot.OfType(RoleAssignmentType).Where(assignment => assignment.String("properties.roleDefinitionId").EndsWith($"/{StorageBlobDataContributor}", StringComparison.Ordinal)).ToList();

            // Exactly two assignments on the lake, both Storage Blob Data Contributor, and that role nowhere else.
            Assert.Equal(2, onLake.Count);
            Assert.Equal(onLake.Select(a => a.String("id")).Order(StringComparer.Ordinal), contributors.Select(a => a.String("id")).Order(StringComparer.Ordinal));
            Assert.Equal(
                new[] { $"[reference('{identity}', '2024-11-30').principalId] ServicePrincipal", deployer }.Order(StringComparer.Ordinal),
                onLake.Select(a => $"{a.String("properties.principalId")} {a.String("properties.principalType")}").Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void LakeSetting_Snapshot_IsTheLakeContainersBlobUrl()
    {
        foreach (var snapshot in fixture.Snapshots.Append(fixture.ConnectionsSnapshot))
        {
            var lake = snapshot.LakeAccount.String("id");
            var expected = $"[format('{{0}}{{1}}', reference('{lake}', '2025-06-01').primaryEndpoints.blob, 'lake')]";

            Assert.Equal(expected, snapshot.AppSettings[DeltaUriSetting]);
            Assert.Equal(expected, snapshot.Outputs.String("TRIBUTARY_LAKE_URI"));
            Assert.Equal(snapshot.LakeAccount.String("name"), snapshot.Outputs.String("AZURE_LAKE_ACCOUNT_NAME"));
        }
    }

    [Fact]
    public void LakeSetting_Compiled_ConnectionsDefaultToDeltaWithoutPostgres()
    {
        var main = File.ReadAllText(RepositoryPaths.MainBicep);

        Assert.Contains("c.?destination ?? (postgresEnabled ? 'postgres' : 'delta')", main, StringComparison.Ordinal);
        Assert.All(
            fixture.DefaultSnapshot.AppSettings.Where(setting => setting.Key.StartsWith("Connections__", StringComparison.Ordinal) && setting.Key.EndsWith("__Destination", StringComparison.Ordinal)),
            setting => Assert.Equal("delta", setting.Value));
    }

    [Fact]
    public void Infrastructure_Everywhere_UsesNoStorageKey()
    {
        var sources = Directory.EnumerateFiles(RepositoryPaths.Infra, "*", SearchOption.AllDirectories)
            .Where(path => path.EndsWith(".bicep", StringComparison.Ordinal) || path.EndsWith(".bicepparam", StringComparison.Ordinal)
                || path.EndsWith(".json", StringComparison.Ordinal) || path.EndsWith(".sh", StringComparison.Ordinal) || path.EndsWith(".ps1", StringComparison.Ordinal))
            .Select(path => (Name: Path.GetRelativePath(RepositoryPaths.Root, path), Text: File.ReadAllText(path)))
            .Append(("compiled main.json", fixture.Template.Text));

        foreach (var (name, text) in sources)
        {
            Assert.False(StorageKeyPattern().IsMatch(text), $"{name} uses a storage key: {StorageKeyPattern().Match(text).Value}");
        }

        foreach (var snapshot in fixture.Snapshots.Append(fixture.ConnectionsSnapshot))
        {
            Assert.All(snapshot.AppSettings, setting => Assert.False(
                StorageKeyPattern().IsMatch(setting.Key) || StorageKeyPattern().IsMatch(setting.Value),
                $"{snapshot}: app setting {setting.Key} = {setting.Value} uses a storage key."));
            Assert.All(snapshot.OfType(StorageAccountType), account => Assert.False(account.Bool("properties.allowSharedKeyAccess")));
        }
    }

    /// <summary>Whether a role assignment's id (evaluated, or an extensionResourceId expression when the principal is known only
    /// at deployment) puts it on the resource <paramref name="scope"/>.</summary>
    private static bool IsScopedTo(string id, string scope) =>
        id.StartsWith($"{scope}/providers/Microsoft.Authorization/roleAssignments/", StringComparison.Ordinal)
        || id.StartsWith($"[extensionResourceId('{scope}', 'Microsoft.Authorization/roleAssignments', ", StringComparison.Ordinal);

    /// <summary>What a storage key looks like anywhere: the ARM call that returns one, or a connection string or SAS that carries one.</summary>
    [GeneratedRegex(@"listKeys|listAccountSas|listServiceSas|AccountKey|SharedAccessSignature", RegexOptions.IgnoreCase)]
    private static partial Regex StorageKeyPattern();
}
