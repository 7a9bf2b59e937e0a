using Harness.Core.Control;
using Harness.Provisioning.Netns;
using Harness.Testing;

namespace Harness.Integration.Tests;

[Collection(ClusterCollection.Name)]
public sealed class NetnsProvisionerTests
{
    private static Task<ICluster> ProvisionAsync(int nodes) =>
        new NetnsProvisioner(TextWriter.Null).ProvisionAsync(new ClusterSpec(nodes, [], "netns-test"), CancellationToken.None);

    private static async Task<bool> CanConnectAsync(NetnsCluster cluster, Node from, Node to, int port)
    {
        // bash's /dev/tcp: exit 0 when the TCP connect succeeds; 124 when a DROP makes it hang until the timeout
        var r = await cluster.Remote(from).ExecAsync(["timeout", "1", "bash", "-c", $"exec 3<>/dev/tcp/{to.Address}/{port}"], CancellationToken.None);
        return r.Succeeded;
    }

    [IntegrationFact("ip")]
    public async Task Should_GiveEachNodeItsOwnAddress_AndRemoveEverything_When_Disposed()
    {
        await Capabilities.RequireAsync("ip", "iptables");
        // Given a 3-node cluster with a listener on n2
        var cluster = (NetnsCluster)await ProvisionAsync(3);
        var pids = new List<int>();
        try
        {
            var (n1, n2, n3) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
            var addr = await cluster.Remote(n2).ExecAsync(["ip", "-4", "-o", "addr", "show", "dev", "eth0"], CancellationToken.None);
            Assert.Contains(n2.Address + "/24", addr.Stdout, StringComparison.Ordinal);
            var route = await cluster.Remote(n1).ExecAsync(["ip", "route", "show", "default"], CancellationToken.None);
            Assert.Equal("", route.Stdout.Trim());
            var listener = await cluster.Remote(n2).StartAsync(new ServerSpec(["bash", "-c", "while true; do sleep 1; done & exec sleep 1000"], $"{cluster.Remote(n2).LogDirectory}/l.log"), CancellationToken.None);
            pids.Add(listener.Pid);
            var server = await cluster.Remote(n2).StartAsync(new ServerSpec(["/usr/bin/python3", "-c", "import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\ns.bind(('0.0.0.0',7000))\ns.listen(100)\nwhile True:\n  c,_=s.accept()\n  c.close()"], $"{cluster.Remote(n2).LogDirectory}/srv.log") { User = "nobody" }, CancellationToken.None);
            pids.Add(server.Pid);
            await WaitUntilAsync(() => CanConnectAsync(cluster, n1, n2, 7000));

            // And the run's marker records what it made, each server with its start time
            var marker = RunLedger.Read(cluster.MarkerPath!)!;
            Assert.True(marker.IsAlive);
            Assert.Contains(new RunResource("namespace", cluster.Namespaces[2]), marker.Resources);
            Assert.Contains(new RunResource("bridge", cluster.BridgeName), marker.Resources);
            Assert.Contains(new RunResource("directory", cluster.RunDirectory), marker.Resources);
            Assert.Contains(RunResource.Process(server.Pid, LocalProcess.StartTimeOf(server.Pid)!.Value), marker.Resources);

            // When n2 is partitioned away from n1 (n3 keeps its links), Then only the n1-n2 link is cut
            await cluster.Network.PartitionAsync([[n1], [n2]], CancellationToken.None);
            Assert.False(await CanConnectAsync(cluster, n1, n2, 7000));
            Assert.True(await CanConnectAsync(cluster, n3, n2, 7000));

            // When healed, Then n1 reaches n2 again
            await cluster.Network.HealAsync(CancellationToken.None);
            Assert.True(await CanConnectAsync(cluster, n1, n2, 7000));

            // When a link is dropped, or every packet into n2 is lost, Then n1 cannot connect until healed
            await cluster.Network.DropLinksAsync([(n1, n2)], CancellationToken.None);
            Assert.False(await CanConnectAsync(cluster, n1, n2, 7000));
            await cluster.Network.HealAsync(CancellationToken.None);
            await cluster.Network.LossAsync([n2], 1.0, CancellationToken.None);
            Assert.False(await CanConnectAsync(cluster, n3, n2, 7000));
            await cluster.Network.HealAsync(CancellationToken.None);
            Assert.True(await CanConnectAsync(cluster, n3, n2, 7000));

            // And the server runs as the requested user with the kept PID
            var status = await File.ReadAllTextAsync($"/proc/{server.Pid}/status");
            Assert.Contains("python3", status, StringComparison.Ordinal);

            // And files are written, owned, read and downloaded through the remote, in the node's directory
            var remote = cluster.Remote(n2);
            var file = $"{remote.Directory}/conf";
            await remote.WriteFileAsync(file, "a = 'b'\n", CancellationToken.None, owner: "nobody");
            Assert.Equal("a = 'b'\n", await remote.ReadFileAsync(file, CancellationToken.None));
            Assert.Equal("nobody", (await remote.ExecAsync(["stat", "-c", "%U", file], CancellationToken.None)).Stdout.Trim());
            Assert.Null(await remote.ReadFileAsync($"{remote.Directory}/missing", CancellationToken.None));
            var local = Path.Combine(Path.GetTempPath(), $"harness-download-{Guid.NewGuid():N}");
            await remote.DownloadAsync(file, local, CancellationToken.None);
            Assert.Equal("a = 'b'\n", await File.ReadAllTextAsync(local));
            File.Delete(local);

            // And a signal to the tree reaches the server and its children: stopped, continued, killed together
            await WaitUntilAsync(() => Task.FromResult(ChildrenOf(listener.Pid).Count > 0));
            var child = ChildrenOf(listener.Pid)[0];
            await listener.SignalAsync(ProcessSignal.Stop, withChildren: true, CancellationToken.None);
            await WaitUntilAsync(() => Task.FromResult(State(listener.Pid) == 'T' && State(child) == 'T'));
            await listener.SignalAsync(ProcessSignal.Cont, withChildren: true, CancellationToken.None);
            await WaitUntilAsync(() => Task.FromResult(State(child) != 'T'));
            await listener.SignalAsync(ProcessSignal.Stop, withChildren: true, CancellationToken.None);
            await listener.SignalAsync(ProcessSignal.Kill, withChildren: true, CancellationToken.None);
            await listener.WaitForExitAsync(CancellationToken.None);
            await WaitUntilAsync(() => Task.FromResult(State(child) is null or 'Z'));
        }
        finally
        {
            // When the cluster is disposed
            await cluster.DisposeAsync();
        }

        // Then nothing it created is left
        Assert.Empty(await Leftovers.FindAsync(cluster, pids));
    }

    private static char? State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException) { return null; }
    }

    private static List<int> ChildrenOf(int pid) =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName)
            .Where(d => int.TryParse(d, out _) && File.Exists($"/proc/{d}/stat"))
            .Where(d => { try { var st = File.ReadAllText($"/proc/{d}/stat"); return st[(st.LastIndexOf(')') + 2)..].Split(' ')[1] == pid.ToString(System.Globalization.CultureInfo.InvariantCulture); } catch (IOException) { return false; } })
            .Select(d => int.Parse(d!, System.Globalization.CultureInfo.InvariantCulture))];

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail("condition not met within 10 s");
    }
}
