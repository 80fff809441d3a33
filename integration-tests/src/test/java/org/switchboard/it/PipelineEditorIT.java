package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * {@link PipelineEditor} on the shipped {@code conf/mailetcontainer.xml} of the unpacked distribution (no server is
 * started): the edits land where asked, everything else (comments included) is kept, and a lookup that finds nothing,
 * or more than one element, fails naming what is there.
 */
class PipelineEditorIT {
    private static final String DISCLAIMER = "org.switchboard.mailets.preprocessor.disclaimer.Disclaimer";

    @TempDir
    Path temp;
    PackagedServer server;
    Path pipelineFile;

    @BeforeEach
    void unpack() throws Exception {
        server = PackagedServer.unpack(temp);
        pipelineFile = server.home.resolve("conf/mailetcontainer.xml");
    }

    @Test
    void insertsBeforeAndAfterTheMailetFoundAndKeepsTheRest() throws Exception {
        List<String> shipped = mailets("preprocess");
        int comments = comments();

        PipelineEditor pipeline = PipelineEditor.of(server);
        pipeline.processor("preprocess").mailetHandingTo("transport")
            .insertBefore("<mailet match=\"All\" class=\"SetMimeHeader\"><name>X-A</name><value>1</value></mailet>")
            .insertAfter("<!-- after --><mailet match=\"All\" class=\"Null\"/>");
        pipeline.save();

        List<String> edited = mailets("preprocess");
        assertThat(edited).hasSize(shipped.size() + 2);
        assertThat(edited.subList(0, shipped.size() - 1)).isEqualTo(shipped.subList(0, shipped.size() - 1));
        assertThat(edited.subList(shipped.size() - 1, edited.size()))
            .containsExactly("All SetMimeHeader", shipped.get(shipped.size() - 1), "All Null");
        assertThat(comments()).isEqualTo(comments + 1);
    }

    @Test
    void setsTheMatcherAParameterAndThePostmaster() throws Exception {
        PipelineEditor pipeline = PipelineEditor.of(server).postmaster("postmaster@example.com");
        pipeline.processor("directory-unavailable").mailetOfClass("Requeue")
            .matcher("RecipientIs=a@example.com")
            .parameter("delay", "2s")
            .parameter("maxRetries", "3");
        pipeline.save();

        String xml = Files.readString(pipelineFile);
        assertThat(xml).contains("<postmaster>postmaster@example.com</postmaster>");
        Element requeue = elements("processor").stream()
            .filter(processor -> processor.getAttribute("state").equals("directory-unavailable"))
            .flatMap(processor -> children(processor.getElementsByTagName("mailet")).stream())
            .filter(mailet -> mailet.getAttribute("class").equals("Requeue")).findFirst().orElseThrow();
        assertThat(requeue.getAttribute("match")).isEqualTo("RecipientIs=a@example.com");
        assertThat(requeue.getElementsByTagName("delay").item(0).getTextContent()).isEqualTo("2s");
        assertThat(requeue.getElementsByTagName("delay").getLength()).isEqualTo(1);
        assertThat(requeue.getElementsByTagName("maxRetries").item(0).getTextContent()).isEqualTo("3");
    }

    @Test
    void theShippedDisclaimerExampleComesOutOfItsCommentOnce() throws Exception {
        assertThat(mailets("preprocess")).noneMatch(mailet -> mailet.endsWith(DISCLAIMER));

        PipelineEditor pipeline = PipelineEditor.of(server);
        pipeline.processor("preprocess").uncomment(DISCLAIMER);
        pipeline.save();

        assertThat(mailets("preprocess")).filteredOn(mailet -> mailet.endsWith(DISCLAIMER)).hasSize(1);
        assertThatThrownBy(() -> PipelineEditor.of(server).processor("preprocess").uncomment(DISCLAIMER))
            .hasMessageContaining("0 comments of processor \"preprocess\" hold class=\"" + DISCLAIMER + "\"");
    }

    @Test
    void aMissingOrAmbiguousElementFailsNamingWhatIsThere() throws Exception {
        PipelineEditor pipeline = PipelineEditor.of(server);
        assertThatThrownBy(() -> pipeline.processor("no-such-state"))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("no processor \"no-such-state\"");
        assertThatThrownBy(() -> pipeline.processor("preprocess").mailetOfClass("NoSuchMailet"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("processor \"preprocess\" has 0 mailets with class=\"NoSuchMailet\"")
            .hasMessageContaining("org.switchboard.mailets.messageswitch.MessageSwitch");
        assertThatThrownBy(() -> pipeline.processor("root").mailetOfClass("ToProcessor"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("mailets with class=\"ToProcessor\" (expected one)");
        assertThatThrownBy(() -> pipeline.processor("preprocess").mailetHandingTo("nowhere"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("0 mailets with ToProcessor to \"nowhere\"");
        assertThatThrownBy(() -> pipeline.processor("preprocess").mailetHandingTo("transport").insertBefore("<mailet"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not well-formed pipeline XML");
    }

    /** "match class" of each mailet of the processor, in order, as the saved file has them. */
    private List<String> mailets(String state) throws Exception {
        for (Element processor : elements("processor")) {
            if (processor.getAttribute("state").equals(state)) {
                List<String> mailets = new ArrayList<>();
                for (Node node = processor.getFirstChild(); node != null; node = node.getNextSibling()) {
                    if (node instanceof Element mailet && mailet.getTagName().equals("mailet")) {
                        mailets.add(mailet.getAttribute("match") + " " + mailet.getAttribute("class"));
                    }
                }
                return mailets;
            }
        }
        throw new AssertionError("no processor " + state);
    }

    private List<Element> elements(String tag) throws Exception {
        return children(DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pipelineFile.toFile())
            .getElementsByTagName(tag));
    }

    private static List<Element> children(NodeList nodes) {
        List<Element> found = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            found.add((Element) nodes.item(i));
        }
        return found;
    }

    private int comments() throws Exception {
        String xml = Files.readString(pipelineFile);
        return xml.split("<!--", -1).length - 1;
    }
}
