package org.switchboard.server.bsmtp;

import static org.switchboard.server.cli.MBeanCommands.command;

import java.util.List;

import org.switchboard.server.cli.MBeanCommands;

/**
 * The BSMTP decoder's {@code james-cli} commands: {@code BsmtpStatus}, {@code BsmtpPollNow}, {@code BsmtpStart},
 * {@code BsmtpStop} (the last two print the status after the change).
 */
public final class BsmtpCommands {
    public static final MBeanCommands<BsmtpPickupManagementMBean> COMMANDS = new MBeanCommands<>(
        BsmtpPickupManagementMBean.class, BsmtpPickupManagement.OBJECT_NAME, List.of(
            command("BsmtpStatus", 0, 0, "BsmtpStatus", (decoder, operands) ->
                System.out.println(decoder.getStatus())),
            command("BsmtpPollNow", 0, 0, "BsmtpPollNow", (decoder, operands) ->
                System.out.println(decoder.pollNow())),
            command("BsmtpStart", 0, 0, "BsmtpStart", (decoder, operands) -> {
                decoder.start();
                System.out.println(decoder.getStatus());
            }),
            command("BsmtpStop", 0, 0, "BsmtpStop", (decoder, operands) -> {
                decoder.stop();
                System.out.println(decoder.getStatus());
            })));

    private BsmtpCommands() {
    }
}
