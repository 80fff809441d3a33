package org.switchboard.server.lists;

import static org.switchboard.server.cli.MBeanCommands.command;

import java.util.List;

import org.switchboard.server.cli.MBeanCommands;

/**
 * Bounce processing's {@code james-cli} commands:
 * <pre>
 * ListBounceScores &lt;list&gt;
 * ResetListBounces &lt;list&gt; &lt;member&gt;      (enables a disabled member's delivery again)
 * </pre>
 */
public final class ListBounceCommands {
    public static final MBeanCommands<ListBounceManagementMBean> COMMANDS = new MBeanCommands<>(
        ListBounceManagementMBean.class, ListBounceManagement.OBJECT_NAME, List.of(
            command("ListBounceScores", 1, 1, "ListBounceScores <list>", (bounces, operands) ->
                bounces.bounceScores(operands.get(0)).forEach(System.out::println)),
            command("ResetListBounces", 2, 2, "ResetListBounces <list> <member>", (bounces, operands) ->
                bounces.resetBounces(operands.get(0), operands.get(1)))));

    private ListBounceCommands() {
    }
}
