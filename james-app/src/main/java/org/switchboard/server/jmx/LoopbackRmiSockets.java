package org.switchboard.server.jmx;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.rmi.server.RMISocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * James binds the JMX registry to {@code jmx.address}, but the RMI object that serves JMX calls is exported on a
 * random port on every interface. When {@code jmx.address} is a loopback address, this default RMI socket factory
 * keeps that port on the same address, so nothing of JMX is reachable from the network.
 */
public final class LoopbackRmiSockets extends RMISocketFactory {
    private static final Logger LOGGER = LoggerFactory.getLogger(LoopbackRmiSockets.class);

    private final InetAddress address;

    private LoopbackRmiSockets(InetAddress address) {
        this.address = address;
    }

    public static void installFor(Path confDirectory) throws IOException {
        InetAddress address = InetAddress.getByName(JmxEndpoint.read(confDirectory).address());
        if (address.isLoopbackAddress()) {
            RMISocketFactory.setSocketFactory(new LoopbackRmiSockets(address));
            LOGGER.debug("RMI server sockets bound to {}", address);
        }
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return new Socket(host, port);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return new ServerSocket(port, 50, address);
    }
}
