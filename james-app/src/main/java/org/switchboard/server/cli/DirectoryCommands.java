package org.switchboard.server.cli;

import static org.switchboard.server.cli.MBeanCommands.command;

import java.util.List;

import org.switchboard.server.directory.DirectoryRoutingManagement;
import org.switchboard.server.directory.DirectoryRoutingManagementMBean;

/**
 * The directory's {@code james-cli} commands: {@code BuildAliasTable} (re-reads every alias of the directory now) and
 * {@code DirectoryStatistics} (lookups, cache hits, aliases).
 */
final class DirectoryCommands {
    static final MBeanCommands<DirectoryRoutingManagementMBean> COMMANDS = new MBeanCommands<>(
        DirectoryRoutingManagementMBean.class, DirectoryRoutingManagement.OBJECT_NAME, List.of(
            command("BuildAliasTable", 0, 0, "BuildAliasTable", (directory, operands) ->
                System.out.println("Alias table built: " + directory.buildAliasTable() + " aliases")),
            command("DirectoryStatistics", 0, 0, "DirectoryStatistics", (directory, operands) ->
                System.out.println(directory.getStatistics()))));

    private DirectoryCommands() {
    }
}
