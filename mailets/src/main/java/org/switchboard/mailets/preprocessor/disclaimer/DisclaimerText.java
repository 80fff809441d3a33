package org.switchboard.mailets.preprocessor.disclaimer;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Entities;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * One disclaimer in the forms the mailet inserts: the plain text (lines separated by {@code \n}, no final line
 * break) and the HTML fragment, each derived from the other when the administrator gave only one.
 *
 * <p>The HTML fragment is the administrator's markup re-serialized by jsoup as a body fragment (so it is balanced and
 * cannot close the message's own elements), ASCII only (other characters become numeric character references, which
 * every ASCII-compatible charset can carry, so an HTML part never has to change its charset), wrapped in
 * {@code <div data-switchboard-disclaimer="NAME">} so the mailet can find what it inserted.
 */
final class DisclaimerText {
    static final String MARKER_ATTRIBUTE = "data-switchboard-disclaimer";

    private final String name;
    private final String plain;
    private final String html;
    private final String plainKey;
    private final String htmlKey;

    private DisclaimerText(String name, String plain, String html) {
        this.name = name;
        this.plain = plain;
        this.html = html;
        this.plainKey = normalizeSpace(plain);
        this.htmlKey = normalizeSpace(Jsoup.parseBodyFragment(html).body().text());
    }

    /**
     * The disclaimer from the administrator's plain text and/or HTML (at least one present, checked by the caller).
     *
     * @throws IllegalArgumentException when a text is empty once trimmed, or has control characters
     */
    static DisclaimerText of(String name, Optional<String> plainText, Optional<String> htmlText) {
        Optional<String> plain = plainText.map(DisclaimerText::plainLines);
        Optional<String> htmlBody = htmlText.map(DisclaimerText::htmlFragment);
        String plainForm = plain.orElseGet(() -> htmlToText(htmlBody.orElseThrow()));
        String htmlForm = htmlBody.orElseGet(() -> textToHtml(plain.orElseThrow()));
        if (plainForm.isBlank()) {
            throw new IllegalArgumentException("the HTML disclaimer has no text to show in plain-text parts");
        }
        String wrapped = "<div " + MARKER_ATTRIBUTE + "=\"" + name + "\">" + htmlForm + "</div>";
        DisclaimerText text = new DisclaimerText(name, plainForm, wrapped);
        if (text.htmlKey.isEmpty()) {
            // its text is how a second insertion is recognized
            throw new IllegalArgumentException("the HTML disclaimer shows no text");
        }
        return text;
    }

    String name() {
        return name;
    }

    /** The plain text, lines separated by {@code \n}, without a final line break. */
    String plain() {
        return plain;
    }

    /** The HTML fragment to insert: ASCII only, balanced, wrapped in the marker {@code div}. */
    String html() {
        return html;
    }

    /** The plain text with runs of white space made one space: what "the text is already there" compares. */
    String plainKey() {
        return plainKey;
    }

    /** The text the HTML fragment shows, white space normalized. */
    String htmlKey() {
        return htmlKey;
    }

    static String normalizeSpace(String text) {
        return text.replaceAll("[\\s\\u00A0]+", " ").trim();
    }

    /** Line ends made {@code \n}, blank lines at both ends and trailing spaces of the last line dropped. */
    private static String plainLines(String text) {
        String lines = text.replace("\r\n", "\n").replace('\r', '\n');
        checkCharacters(lines);
        lines = lines.replaceAll("^(?:[ \\t]*\\n)+", "").stripTrailing();
        if (lines.isBlank()) {
            throw new IllegalArgumentException("the plain-text disclaimer is empty");
        }
        return lines;
    }

    private static String htmlFragment(String html) {
        checkCharacters(html.replace("\r", "").replace("\n", ""));
        Document document = Jsoup.parseBodyFragment(html);
        document.outputSettings()
            .charset(StandardCharsets.US_ASCII)
            .escapeMode(Entities.EscapeMode.xhtml)
            .prettyPrint(false);
        String fragment = document.body().html().strip();
        if (fragment.isEmpty()) {
            throw new IllegalArgumentException("the HTML disclaimer is empty");
        }
        return fragment;
    }

    private static void checkCharacters(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\t' || c == 0x7F) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "control character U+%04X at position %d", (int) c, i));
            }
        }
    }

    /** The plain text as HTML: escaped, each line break a {@code <br>}. */
    static String textToHtml(String plain) {
        StringBuilder html = new StringBuilder();
        String[] lines = plain.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                html.append("<br>");
            }
            html.append(Entities.escape(lines[i]).replace("\t", "&#9;"));
        }
        // Entities.escape keeps non-ASCII characters: make them references, as for administrator's HTML
        return htmlFragment(html.toString());
    }

    /** What the HTML shows, as lines: text with white space collapsed, a line break for br and block elements. */
    static String htmlToText(String fragment) {
        StringBuilder text = new StringBuilder();
        Element body = Jsoup.parseBodyFragment(fragment).body();
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode textNode) {
                    String words = textNode.text().replaceAll("[\\s\\u00A0]+", " ");
                    if (text.isEmpty() || text.charAt(text.length() - 1) == '\n') {
                        words = words.stripLeading();
                    }
                    text.append(words);
                } else if (node instanceof Element element && element != body) {
                    if (element.nameIs("br")) {
                        text.append('\n');
                    } else if (element.isBlock()) {
                        newLine(text);
                    }
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element element && element != body && element.isBlock()) {
                    newLine(text);
                }
            }
        }, body);
        return text.toString().replaceAll("[ \\t]+\\n", "\n").replaceAll("\\n{3,}", "\n\n").strip();
    }

    private static void newLine(StringBuilder text) {
        if (!text.isEmpty() && text.charAt(text.length() - 1) != '\n') {
            text.append('\n');
        }
    }
}
