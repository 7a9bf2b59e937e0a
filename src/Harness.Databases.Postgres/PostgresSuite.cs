using Harness.Core.Clients;
using Harness.Core.Nemeses;
using Harness.Core.Running;
using Harness.Workloads;

namespace Harness.Databases.Postgres;

/// <summary>
/// The <c>postgres</c> database: PostgreSQL 15 with a primary and streaming standbys. Replication options:
/// --replication async|sync|remote-apply, --sync-replicas K, --read-from primary|replica|any,
/// --failover none|promote, --fencing, --isolation (list-append and bank transactions).
/// </summary>
public sealed class PostgresSuite : ISuite
{
    public string Name => "postgres";

    public IReadOnlySet<string> SupportedWorkloads { get; } = new HashSet<string>
    {
        RegisterWorkload.Name, SetWorkload.Name, SessionWorkload.Name, ListAppendWorkload.Name, BankWorkload.Name,
    };

    public IReadOnlyList<string> Packages { get; } = ["postgresql-15"];

    public TestSpec CreateTest(TestOptions options)
    {
        var settings = PostgresSettings.From(options);
        var db = new PostgresDatabase(settings);
        ClientFactory open = options.Workload switch
        {
            RegisterWorkload.Name => (run, node, ct) => PostgresRegisterClient.OpenAsync(db, run, node, ct),
            SetWorkload.Name => (run, node, ct) => PostgresSetClient.OpenAsync(db, run, node, ct),
            SessionWorkload.Name => (run, node, ct) => PostgresSessionClient.OpenAsync(db, run, node, ct),
            ListAppendWorkload.Name => (run, node, ct) => PostgresListAppendClient.OpenAsync(db, run, node, ct),
            BankWorkload.Name => (run, node, ct) => PostgresBankClient.OpenAsync(db, run, node, BankWorkload.Accounts, BankWorkload.InitialBalance, ct),
            var other => throw new NotSupportedException($"postgres has no '{other}' client; use one of {string.Join(", ", SupportedWorkloads)}"),
        };
        var faults = options.Faults.IsDefaultOrEmpty ? "" : "-" + string.Join(',', options.Faults);
        var replication = $"-{settings.Replication}{(settings.ReadFrom == "primary" ? "" : $"-read-{settings.ReadFrom}")}{(settings.Failover == "promote" ? "-promote" : "")}{(settings.Fencing ? "-fenced" : "")}";
        return new TestSpec
        {
            Name = $"postgres-{options.Workload}{replication}{faults}",
            Options = options,
            Database = db,
            OpenClient = open,
            Workload = Workloads.Workloads.Create(options),
            Nemesis = NemesisPackages.Create(options, db),
        };
    }
}
