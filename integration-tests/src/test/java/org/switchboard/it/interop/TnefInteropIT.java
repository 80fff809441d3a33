package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.mail.BodyPart;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess;
import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.PackagedServer;
import org.switchboard.it.SmtpClient;
import org.switchboard.it.TnefMail;
import org.switchboard.it.interop.DebianPrograms.Outcome;
import org.switchboard.it.interop.DebianPrograms.Program;
import org.switchboard.mailets.preprocessor.tnef.TnefMessages;

/**
 * The TNEF expander against Debian's {@code tnef} (package {@code tnef}): for every test stream that carries files,
 * a message goes through the packaged server; the winmail.dat of the original as delivered over IMAP is unpacked
 * with {@code tnef -K -C dir}, and each file tnef writes must be, name and bytes, a file of the "Attachments of"
 * message Switchboard delivered beside it.
 */
@Tag("interop")
class TnefInteropIT {
    private static final String DOMAIN = "example.com";
    private static final String PASSWORD = "tnef-Interop-3";
    private static final String SENDER = "outlook@origin.example";
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final Duration PROGRAM_TIMEOUT = Duration.ofSeconds(60);
    private static final List<Program> PROGRAMS = List.of(new Program("tnef", "tnef"),
        new Program("python3", "python3"));

    @TempDir
    static Path temp;
    private static PackagedServer server;

    @BeforeAll
    static void boot() throws Exception {
        DebianPrograms.requireAll(PROGRAMS, Map.of());
        Files.createDirectories(temp.resolve("server"));
        server = PackagedServer.unpack(temp.resolve("server"));
        server.startWith(DOMAIN, PASSWORD);
    }

    @AfterAll
    static void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "TnefInteropIT");
    }

    static List<String> streamsWithFiles() {
        return TnefMessages.streamsWithFiles();
    }

    @ParameterizedTest
    @MethodSource("streamsWithFiles")
    void debianTnefUnpacksTheDeliveredWinmailDatIntoTheFilesSwitchboardDelivered(String stream) throws Exception {
        String user = stream.replaceAll("[^a-z0-9]", "-") + "@" + DOMAIN;
        server.cli("AddUser", user, PASSWORD);
        byte[] message = TnefMail.messageWithWinmailDat(SENDER, user, "Stream " + stream,
            "<" + stream + "@origin.example>", TnefMessages.resource(stream));
        try (SmtpClient smtp = SmtpClient.connectFrom("127.0.0.2", server.smtpPort)) {
            smtp.ehlo("outlook.origin.example");
            assertThat(smtp.send(SENDER, user, message).code()).isEqualTo(250);
            smtp.quit();
        }
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
            .until(() -> MailAccess.imapCount(server.imapPort, user, PASSWORD) >= 2);
        List<ImapMessage> inbox = MailAccess.imapInbox(server.imapPort, user, PASSWORD);
        assertThat(inbox).hasSize(2);
        MimeMessage original = null;
        MimeMessage attachments = null;
        for (ImapMessage delivered : inbox) {
            MimeMessage parsed = TnefMessages.parse(delivered.raw());
            if (parsed.getSubject().startsWith("Attachments of: ")) {
                attachments = parsed;
            } else {
                original = parsed;
            }
        }
        assertThat(original).as("the original").isNotNull();
        assertThat(attachments).as("the message with the files").isNotNull();

        // tnef -K on the winmail.dat the server delivered
        BodyPart winmail = TnefMessages.attachments(original).get(0);
        assertThat(winmail.getFileName()).isEqualTo("winmail.dat");
        Path work = Files.createDirectories(temp.resolve(stream));
        Path dat = work.resolve("winmail.dat");
        Files.write(dat, TnefMessages.content(winmail));
        Path out = Files.createDirectories(work.resolve("out"));
        Outcome tnef = DebianPrograms.run(work, Map.of(), PROGRAM_TIMEOUT,
            List.of("tnef", "-K", "-C", out.toString(), dat.toString()));
        assertThat(tnef.exitCode()).as(tnef.describe()).isZero();

        // tnef writes names as the stream's raw 8-bit bytes: list them as bytes (python3), decode in the code page
        // of these streams (windows-1252) to compare with the Unicode names Switchboard writes
        Outcome listing = DebianPrograms.run(work, Map.of(), PROGRAM_TIMEOUT, List.of("python3", "-c",
            "import os,sys\nfor n in sorted(os.listdir(sys.argv[1].encode())): print(n.hex())", out.toString()));
        assertThat(listing.exitCode()).as(listing.describe()).isZero();
        Map<String, String> byTnef = new LinkedHashMap<>();
        for (String hex : listing.output().strip().split("\\R")) {
            if (hex.isBlank()) {
                continue;
            }
            byte[] rawName = HexFormat.of().parseHex(hex.strip());
            byte[] data = readRaw(out, rawName);
            byTnef.put(new String(rawName, Charset.forName("windows-1252")), data.length + " " + TnefMessages.sha256(data));
        }
        Map<String, String> bySwitchboard = TnefMessages.files(attachments);
        System.out.println("OBSERVED " + stream + ": tnef " + byTnef.keySet() + ", Switchboard " + bySwitchboard.keySet());
        assertThat(bySwitchboard).containsExactlyInAnyOrderEntriesOf(byTnef);
    }

    /** A file whose name is not valid in the JVM's file name encoding: read through python3 as hex. */
    private static byte[] readRaw(Path dir, byte[] rawName) throws Exception {
        Outcome cat = DebianPrograms.run(dir, Map.of(), PROGRAM_TIMEOUT, List.of("python3", "-c",
            "import os,sys\nprint(open(os.path.join(sys.argv[1].encode(), bytes.fromhex(sys.argv[2])), 'rb').read().hex())",
            dir.toString(), HexFormat.of().formatHex(rawName)));
        assertThat(cat.exitCode()).as(cat.describe()).isZero();
        return HexFormat.of().parseHex(cat.output().strip());
    }
}
