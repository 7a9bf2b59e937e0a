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
            var listener = await cluster.Remote(n2).StartAsync(["bash", "-c", "while true; do sleep 1; done & exec sleep 1000"], null, Path.Combine(cluster.LogDirectory(n2), "l.log"), CancellationToken.None);
            pids.Add(listener.Pid);
            var server = await cluster.Remote(n2).StartAsync(["/usr/bin/python3", "-c", "import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\ns.bind(('0.0.0.0',7000))\ns.listen(100)\nwhile True:\n  c,_=s.accept()\n  c.close()"], "nobody", Path.Combine(cluster.LogDirectory(n2), "srv.log"), CancellationToken.None);
            pids.Add(server.Pid);
            await WaitUntilAsync(() => CanConnectAsync(cluster, n1, n2, 7000));

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
        }
        finally
        {
            // When the cluster is disposed
            await cluster.DisposeAsync();
        }

        // Then nothing it created is left
        Assert.Empty(await Leftovers.FindAsync(cluster, pids));
    }

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
