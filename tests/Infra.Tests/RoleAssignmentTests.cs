using System.Text.RegularExpressions;
using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

/// <summary>Role assignments: exactly the documented set (infra/modules/roles.bicep), for the app and for the deployer.</summary>
[Collection(InfraCollection.Name)]
public sealed partial class RoleAssignmentTests(InfraFixture fixture)
{
    private const string RoleAssignmentType = "Microsoft.Authorization/roleAssignments";
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    /// <summary>Each data role, and the type of the one resource it is scoped to.</summary>
    private static readonly (string Scope, string Role)[] DocumentedRoles =
    [
        ("Microsoft.Storage/storageAccounts", StorageBlobDataOwner),
        ("Microsoft.Storage/storageAccounts", StorageBlobDataContributor),
        ("Microsoft.Storage/storageAccounts", StorageQueueDataContributor),
        ("Microsoft.KeyVault/vaults", KeyVaultSecretsOfficer),
        ("Microsoft.Insights/components", MonitoringMetricsPublisher),
    ];

    [Fact]
    public void RoleAssignments_DefaultSnapshot_AreExactlyTheDocumentedSet() =>
        AssertDocumentedSet(fixture.DefaultSnapshot, deployer: "11111111-1111-1111-1111-111111111111", deployerType: "User");

    [Fact]
    public void RoleAssignments_PipelineSnapshot_AreExactlyTheDocumentedSet() =>
        AssertDocumentedSet(fixture.PostgresSnapshot, deployer: "22222222-2222-2222-2222-222222222222", deployerType: "ServicePrincipal");

    [Fact]
    public void RoleAssignments_Compiled_NamedFromScopePrincipalAndRole()
    {
        var assignments = fixture.Template.OfType(RoleAssignmentType);

        // roles.bicep is compiled into both the appRoles and the deployerRoles module.
        Assert.Equal(["main/appRoles", "main/deployerRoles"], assignments.Select(assignment => assignment.Module).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(2 * DocumentedRoles.Length, assignments.Count);
        foreach (var assignment in assignments)
        {
            var name = NamePattern().Match(assignment.Node.String("name"));
            Assert.True(name.Success, $"{assignment}: name {assignment.Node.String("name")} is not guid(scope.id, principalId, roleId).");
            Assert.Equal($"[{name.Groups["scope"].Value}]", assignment.Node.String("scope"));
            Assert.Equal(
                $"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('{name.Groups["role"].Value}'))]",
                assignment.Node.String("properties.roleDefinitionId"));
            Assert.Equal("[parameters('principalId')]", assignment.Node.String("properties.principalId"));
        }
    }

    [Fact]
    public void RoleAssignments_Compiled_GivenToDeployerOnlyWithPrincipalId()
    {
        var deployerRoles = fixture.Template.Module("deployerRoles");

        Assert.Equal("[not(empty(parameters('principalId')))]", deployerRoles.String("condition"));
        Assert.Equal(string.Empty, fixture.Template.Root.String("parameters.principalId.defaultValue"));
        Assert.Null(fixture.Template.Module("appRoles").At("condition"));
    }

    private static void AssertDocumentedSet(DeploymentSnapshot snapshot, string deployer, string deployerType)
    {
        var identity = snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities").String("id");
        var appPrincipal = $"[reference('{identity}', '2024-11-30').principalId]";
        var expected = DocumentedRoles
            .SelectMany(role => new[] { $"{role.Scope} {role.Role} {appPrincipal} ServicePrincipal", $"{role.Scope} {role.Role} {deployer} {deployerType}" })
            .Order(StringComparer.Ordinal);

        var actual = snapshot.OfType(RoleAssignmentType).Select(assignment =>
        {
            var scope = ScopeTypePattern().Match(assignment.String("id"));
            Assert.True(scope.Success, $"{snapshot}: role assignment {assignment.String("id")} is not scoped to a resource.");
            var role = assignment.String("properties.roleDefinitionId").Split('/')[^1];
            return $"{scope.Groups["type"].Value} {role} {assignment.String("properties.principalId")} {assignment.String("properties.principalType")}";
        }).Order(StringComparer.Ordinal);

        Assert.Equal(expected, actual);
    }

    /// <summary>guid(scope resource id, principal id, role id variable), as written by roles.bicep.</summary>
    [GeneratedRegex(@"^\[guid\((?<scope>resourceId\('[^']+', parameters\('\w+'\)\)), parameters\('principalId'\), variables\('(?<role>\w+RoleId)'\)\)\]$")]
    private static partial Regex NamePattern();

    /// <summary>The type of the resource a role assignment id is scoped to (the first provider segment of the id).</summary>
    [GeneratedRegex(@"/resourceGroups/[^/]+/providers/(?<type>[A-Za-z.]+/[A-Za-z]+)/[^/']+(/providers/Microsoft\.Authorization/roleAssignments/|', 'Microsoft\.Authorization/roleAssignments')")]
    private static partial Regex ScopeTypePattern();
}
