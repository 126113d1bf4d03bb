using System.Net;
using System.Net.Sockets;

namespace Backchannel.Specs.Support;

/// <summary>
/// A TCP relay in front of PostgreSQL, so one host can lose its database while the shared server keeps running for
/// everyone else: <see cref="Cut"/> drops every relayed connection and refuses new ones until <see cref="Restore"/>.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _open = [];
    private volatile bool _cut;
    private readonly Task _accepting;

    public TcpRelay(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The connection string <paramref name="connectionString"/> through this relay.</summary>
    public string Through(string connectionString) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port, Pooling = true }.ConnectionString;

    /// <summary>The database goes away for whoever connects through the relay.</summary>
    public void Cut()
    {
        _cut = true;
        lock (_lock)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            if (_cut)
            {
                client.Dispose();
                continue;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var server = new TcpClient();
        lock (_lock) _open.AddRange([client, server]);
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            var up = client.GetStream().CopyToAsync(server.GetStream(), _stop.Token);
            var down = server.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
            await Task.WhenAny(up, down);
        }
        catch (Exception)
        {
            // A cut, or either side closing: the relayed connection simply ends.
        }
        finally
        {
            client.Dispose();
            server.Dispose();
            lock (_lock)
            {
                _open.Remove(client);
                _open.Remove(server);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting;
    }
}
