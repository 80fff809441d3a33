package org.switchboard.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.james.cli.ServerCmd;
import org.switchboard.server.bsmtp.BsmtpCommands;
import org.switchboard.server.jmx.JmxEndpoint;
import org.switchboard.server.lists.ListCommands;

/**
 * {@code bin/james-cli}: James' command line client, pointed at this installation's JMX endpoint. Host, port and the
 * credentials that the server generated at first start are read from {@code conf/}, so that administrators type only
 * the command, and the password never appears in the process list. Explicit {@code -h/-p/-username/-password} win.
 */
public final class JamesCli {
    private JamesCli() {
    }

    public static void main(String[] args) throws IOException {
        Path conf = Path.of(System.getProperty("switchboard.conf", "conf"));
        List<String> arguments = new ArrayList<>();
        List<String> given = Arrays.asList(args);
        JmxEndpoint jmx = JmxEndpoint.read(conf);
        if (!given.contains("-h")) {
            arguments.addAll(List.of("-h", jmx.address()));
        }
        if (!given.contains("-p")) {
            arguments.addAll(List.of("-p", jmx.port()));
        }
        Path passwordFile = conf.resolve("jmxremote.password");
        if (!given.contains("-username") && Files.isReadable(passwordFile)) {
            String[] credential = Files.readString(passwordFile, StandardCharsets.UTF_8).trim().split("\\s+", 2);
            if (credential.length == 2) {
                arguments.addAll(List.of("-username", credential[0], "-password", credential[1]));
            }
        }
        arguments.addAll(given);
        if (DirectoryCommands.handles(given)) {
            System.exit(DirectoryCommands.run(arguments));
        }
        if (ListCommands.handles(given)) {
            System.exit(ListCommands.run(arguments));
        }
        if (BsmtpCommands.handles(given)) {
            System.exit(BsmtpCommands.run(arguments));
        }
        if (SmtpcCommands.handles(given)) {
            System.exit(SmtpcCommands.run(arguments));
        }
        ServerCmd.main(arguments.toArray(String[]::new));
    }
}
