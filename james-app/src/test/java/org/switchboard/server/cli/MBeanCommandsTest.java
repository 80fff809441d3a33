package org.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.switchboard.server.cli.MBeanCommands.command;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared mechanism of Switchboard's james-cli commands, against a real JMX (RMI) endpoint. */
class MBeanCommandsTest {
    private static final String OBJECT_NAME = "org.switchboard:type=test,name=counter";

    public interface CounterMBean {
        int add(int amount);

        int getTotal();
    }

    public static final class Counter implements CounterMBean {
        private int total;

        @Override
        public synchronized int add(int amount) {
            total += amount;
            return total;
        }

        @Override
        public synchronized int getTotal() {
            return total;
        }
    }

    private static int port;
    private static Registry registry;
    private static JMXConnectorServer connector;
    private static Counter counter;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    private final MBeanCommands<CounterMBean> commands = new MBeanCommands<>(CounterMBean.class, OBJECT_NAME, List.of(
        command("AddToCounter", 1, 1, "AddToCounter <amount>", (mbean, operands) ->
            System.out.println("total " + mbean.add(Integer.parseInt(operands.get(0))))),
        command("CounterTotal", 0, 0, "CounterTotal", (mbean, operands) ->
            System.out.println("total " + mbean.getTotal()))));

    @BeforeAll
    static void startJmx() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        registry = LocateRegistry.createRegistry(port);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        counter = new Counter();
        server.registerMBean(counter, new ObjectName(OBJECT_NAME));
        connector = JMXConnectorServerFactory.newJMXConnectorServer(
            new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi"), Map.of(), server);
        connector.start();
    }

    @AfterAll
    static void stopJmx() throws Exception {
        connector.stop();
        ManagementFactory.getPlatformMBeanServer().unregisterMBean(new ObjectName(OBJECT_NAME));
        UnicastRemoteObject.unexportObject(registry, true);
    }

    @BeforeEach
    void captureOutput() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private List<String> arguments(String... words) {
        List<String> arguments = new ArrayList<>(List.of("-h", "127.0.0.1", "-p", String.valueOf(port)));
        arguments.addAll(List.of(words));
        return arguments;
    }

    @Test
    void aCommandRunsOnItsMBeanInAnyCase() {
        int before = counter.getTotal();

        assertThat(commands.run(arguments("addtocounter", "5"))).isZero();

        assertThat(counter.getTotal()).isEqualTo(before + 5);
        assertThat(out.toString(StandardCharsets.UTF_8))
            .contains("total " + (before + 5))
            .contains("AddToCounter command executed successfully in");
    }

    @Test
    void theFamilyHandlesOnlyItsOwnCommandsWhereverTheOptionsAre() {
        assertThat(commands.handles(List.of("CounterTotal", "-p", "9999"))).isTrue();
        assertThat(commands.handles(arguments("CounterTotal"))).isTrue();
        assertThat(commands.handles(arguments("ListUsers"))).isFalse();
        assertThat(commands.handles(List.of("-h", "CounterTotal"))).as("an option's value is not a command").isFalse();
        assertThat(MBeanCommands.handling(arguments("countertotal"), List.of(commands))).contains(commands);
    }

    @Test
    void aWrongNumberOfOperandsPrintsTheUsageAndConnectsNowhere() {
        assertThat(new MBeanCommands<>(CounterMBean.class, OBJECT_NAME, commandsList()).run(
            List.of("-h", "127.0.0.1", "-p", "1", "AddToCounter"))).isEqualTo(1);

        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Usage: AddToCounter <amount>");
    }

    @Test
    void aFailureIsReportedWithTheCommandsName() {
        assertThat(commands.run(arguments("AddToCounter", "five"))).isEqualTo(1);

        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Error while executing command AddToCounter:");
    }

    private List<MBeanCommands.Command<CounterMBean>> commandsList() {
        return List.of(command("AddToCounter", 1, 1, "AddToCounter <amount>", (mbean, operands) -> { }));
    }
}
