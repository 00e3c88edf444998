using System.Globalization;
using System.Text.Json.Nodes;

namespace Tributary.Connectors.Tests.ApiPlayground;

/// <summary>A company of the playground's cursors endpoints.</summary>
internal sealed record PlaygroundCompany(string CompanyId, string CompanyName, DateTimeOffset UpdatedAt, DateTimeOffset CreatedAt)
{
    public JsonObject ToJson() => new()
    {
        ["company_id"] = CompanyId,
        ["company_name"] = CompanyName,
        ["updatedAt"] = PlaygroundTime.Format(UpdatedAt),
        ["createdAt"] = PlaygroundTime.Format(CreatedAt),
    };
}

/// <summary>A department of one company; its id is unique within the company only.</summary>
internal sealed record PlaygroundDepartment(string DepartmentId, string CompanyId, string DepartmentName, DateTimeOffset UpdatedAt, DateTimeOffset CreatedAt)
{
    public JsonObject ToJson() => new()
    {
        ["department_id"] = DepartmentId,
        ["company_id"] = CompanyId,
        ["department_name"] = DepartmentName,
        ["updatedAt"] = PlaygroundTime.Format(UpdatedAt),
        ["createdAt"] = PlaygroundTime.Format(CreatedAt),
    };
}

/// <summary>
/// The companies and their departments behind the playground's cursors endpoints: deterministic, changed by a test
/// between syncs. Thread-safe.
/// </summary>
internal sealed class PlaygroundCompanies
{
    private static readonly string[] DepartmentNames = ["Engineering", "Sales", "Finance", "Support", "Legal", "Research"];

    private readonly Lock _gate = new();
    private readonly List<PlaygroundCompany> _companies = [];
    private readonly List<PlaygroundDepartment> _departments = [];

    /// <summary><paramref name="companies"/> companies with <paramref name="departmentsEach"/> departments each, all
    /// created and updated minutes apart during the day before <paramref name="before"/>.</summary>
    public PlaygroundCompanies(int companies, int departmentsEach, DateTimeOffset before)
    {
        var stamp = before.AddDays(-1);
        for (var c = 1; c <= companies; c++)
        {
            var companyId = c.ToString(CultureInfo.InvariantCulture);
            _companies.Add(new PlaygroundCompany(companyId, $"Company {companyId}", stamp, stamp));
            stamp = stamp.AddMinutes(1);
            for (var d = 1; d <= departmentsEach; d++)
            {
                _departments.Add(NewDepartment(companyId, d, stamp));
                stamp = stamp.AddMinutes(1);
            }
        }
    }

    public int CompanyCount
    {
        get
        {
            lock (_gate)
            {
                return _companies.Count;
            }
        }
    }

    public int DepartmentCount
    {
        get
        {
            lock (_gate)
            {
                return _departments.Count;
            }
        }
    }

    /// <summary>Renames a company and stamps it <paramref name="at"/>.</summary>
    public void RenameCompany(string companyId, string name, DateTimeOffset at)
    {
        lock (_gate)
        {
            var index = _companies.FindIndex(c => c.CompanyId == companyId);
            _companies[index] = _companies[index] with { CompanyName = name, UpdatedAt = at };
        }
    }

    /// <summary>Renames one department and stamps it <paramref name="at"/>; its company does not change.</summary>
    public void RenameDepartment(string companyId, string departmentId, string name, DateTimeOffset at)
    {
        lock (_gate)
        {
            var index = _departments.FindIndex(d => d.CompanyId == companyId && d.DepartmentId == departmentId);
            _departments[index] = _departments[index] with { DepartmentName = name, UpdatedAt = at };
        }
    }

    /// <summary>Adds a department to a company, stamped <paramref name="at"/>; returns its id.</summary>
    public string AddDepartment(string companyId, DateTimeOffset at)
    {
        lock (_gate)
        {
            var next = _departments.Count(d => d.CompanyId == companyId) + 1;
            var department = NewDepartment(companyId, next, at);
            _departments.Add(department);
            return department.DepartmentId;
        }
    }

    /// <summary>Adds a company without departments, stamped <paramref name="at"/>; returns its id.</summary>
    public string AddCompany(DateTimeOffset at)
    {
        lock (_gate)
        {
            var companyId = (_companies.Count + 1).ToString(CultureInfo.InvariantCulture);
            _companies.Add(new PlaygroundCompany(companyId, $"Company {companyId}", at, at));
            return companyId;
        }
    }

    public bool Exists(string companyId)
    {
        lock (_gate)
        {
            return _companies.Exists(c => c.CompanyId == companyId);
        }
    }

    /// <summary>The companies updated at or after <paramref name="since"/>, oldest update first.</summary>
    public IReadOnlyList<PlaygroundCompany> CompaniesUpdatedSince(DateTimeOffset since, bool descending)
    {
        lock (_gate)
        {
            var matching = _companies.Where(c => c.UpdatedAt >= since);
            return descending
                ? [.. matching.OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.CompanyId, StringComparer.Ordinal)]
                : [.. matching.OrderBy(c => c.UpdatedAt).ThenBy(c => c.CompanyId, StringComparer.Ordinal)];
        }
    }

    /// <summary>One company's departments updated at or after <paramref name="since"/>, oldest update first.</summary>
    public IReadOnlyList<PlaygroundDepartment> DepartmentsUpdatedSince(string companyId, DateTimeOffset since, bool descending)
    {
        lock (_gate)
        {
            var matching = _departments.Where(d => d.CompanyId == companyId && d.UpdatedAt >= since);
            return descending
                ? [.. matching.OrderByDescending(d => d.UpdatedAt).ThenByDescending(d => d.DepartmentId, StringComparer.Ordinal)]
                : [.. matching.OrderBy(d => d.UpdatedAt).ThenBy(d => d.DepartmentId, StringComparer.Ordinal)];
        }
    }

    private static PlaygroundDepartment NewDepartment(string companyId, int number, DateTimeOffset at) => new(
        number.ToString(CultureInfo.InvariantCulture),
        companyId,
        DepartmentNames[(number - 1) % DepartmentNames.Length],
        at,
        at);
}
