package org.switchboard.server.lists;

import static org.switchboard.server.cli.MBeanCommands.command;

import java.util.List;

import org.switchboard.server.cli.MBeanCommands;

/**
 * The {@code james-cli} commands of bounce processing and moderation:
 * <pre>
 * ListBounceScores &lt;list&gt;
 * ResetListBounces &lt;list&gt; &lt;member&gt;      (enables a disabled member's delivery again)
 * ListHeldPosts &lt;list&gt;
 * </pre>
 */
public final class ListPolicyCommands {
    public static final MBeanCommands<ListPolicyManagementMBean> COMMANDS = new MBeanCommands<>(
        ListPolicyManagementMBean.class, ListPolicyManagement.OBJECT_NAME, List.of(
            command("ListBounceScores", 1, 1, "ListBounceScores <list>", (bounces, operands) ->
                bounces.bounceScores(operands.get(0)).forEach(System.out::println)),
            command("ResetListBounces", 2, 2, "ResetListBounces <list> <member>", (bounces, operands) ->
                bounces.resetBounces(operands.get(0), operands.get(1))),
            command("ListHeldPosts", 1, 1, "ListHeldPosts <list>", (bounces, operands) ->
                bounces.heldPosts(operands.get(0)).forEach(System.out::println))));

    private ListPolicyCommands() {
    }
}
