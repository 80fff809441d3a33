package org.switchboard.it;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.w3c.dom.Comment;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Edits a server's {@code conf/mailetcontainer.xml} element by element, as the tests configure the pipeline: find a
 * processor by its state, a mailet in it by its class, its matcher or the processor it hands mail to, then insert XML
 * before or after it, change its matcher or a parameter, or add a processor. Every lookup fails with the processor's
 * current mailets when the element is missing or ambiguous, so a change to the shipped pipeline breaks the test that
 * relied on it at once, not by a silently different configuration. Comments are kept; none of them is looked up,
 * except the commented-out examples an administrator is told to move out of their comment
 * ({@link Processor#uncomment(String)}). See {@code integration-tests/README.md}.
 */
public final class PipelineEditor {
    private final Path file;
    private final Document document;

    private PipelineEditor(Path file, Document document) {
        this.file = file;
        this.document = document;
    }

    /** The pipeline of this unpacked server, read from {@code conf/mailetcontainer.xml}; {@link #save()} writes it. */
    public static PipelineEditor of(PackagedServer server) throws IOException {
        Path file = server.home.resolve("conf/mailetcontainer.xml");
        try {
            return new PipelineEditor(file, builder().parse(file.toFile()));
        } catch (SAXException e) {
            throw new IllegalStateException(file + " is not well-formed XML", e);
        }
    }

    public void save() throws IOException {
        try {
            var transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            transformer.transform(new DOMSource(document), new StreamResult(file.toFile()));
        } catch (TransformerException e) {
            throw new IOException("could not write " + file, e);
        }
    }

    /** Sets the address of {@code <context><postmaster>}. */
    public PipelineEditor postmaster(String address) {
        Element postmaster = onlyChild(onlyChild(document.getDocumentElement(), "context"), "postmaster");
        postmaster.setTextContent(address);
        return this;
    }

    /** The processor of this state; fails if there is none. */
    public Processor processor(String state) {
        for (Element processor : children(onlyChild(document.getDocumentElement(), "processors"), "processor")) {
            if (processor.getAttribute("state").equals(state)) {
                return new Processor(processor);
            }
        }
        throw new IllegalStateException("no processor \"" + state + "\" in " + file);
    }

    /** Adds a processor, given as its {@code <processor state="...">} element, after the last one. */
    public PipelineEditor addProcessor(String processorXml) {
        List<Node> nodes = parse(processorXml);
        Element processors = onlyChild(document.getDocumentElement(), "processors");
        for (Node node : nodes) {
            if (node instanceof Element element && !element.getTagName().equals("processor")) {
                throw new IllegalArgumentException("not a <processor> element: " + element.getTagName());
            }
            processors.appendChild(node);
        }
        return this;
    }

    /** One {@code <processor>} element of the pipeline. */
    public final class Processor {
        private final Element element;

        private Processor(Element element) {
            this.element = element;
        }

        /** The only mailet of this class (full name, or James' short name such as {@code ToRepository}). */
        public Mailet mailetOfClass(String className) {
            return only("class=\"" + className + "\"", mailet -> mailet.getAttribute("class").equals(className));
        }

        /** The only mailet whose {@code match} attribute is exactly this matcher (with its condition). */
        public Mailet mailetMatching(String match) {
            return only("match=\"" + match + "\"", mailet -> mailet.getAttribute("match").equals(match));
        }

        /** The only {@code ToProcessor} mailet that hands mail to the processor of this state. */
        public Mailet mailetHandingTo(String state) {
            return only("ToProcessor to \"" + state + "\"", mailet -> mailet.getAttribute("class").equals("ToProcessor")
                && children(mailet, "processor").stream().anyMatch(to -> to.getTextContent().trim().equals(state)));
        }

        /**
         * Moves the commented-out example of the mailet of this class out of its comment, as the shipped comment tells
         * an administrator to: the elements of the only comment of this processor that holds {@code class="NAME"}
         * (from its first {@code <mailet} or {@code <matcher} to its last {@code >}) take the comment's place. Returns
         * that mailet.
         */
        public Mailet uncomment(String className) {
            String marker = "class=\"" + className + "\"";
            List<Comment> comments = new ArrayList<>();
            for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node instanceof Comment comment && comment.getData().contains(marker)) {
                    comments.add(comment);
                }
            }
            if (comments.size() != 1) {
                throw new IllegalStateException(comments.size() + " comments of processor \"" + state() + "\" hold "
                    + marker + " (expected one commented-out example)");
            }
            Comment comment = comments.get(0);
            String text = comment.getData();
            // the example starts at its first <mailet or <matcher: the prose before it may hold a "<" (</body>)
            int start = Stream.of(text.indexOf("<mailet"), text.indexOf("<matcher")).filter(at -> at >= 0)
                .min(Integer::compare)
                .orElseThrow(() -> new IllegalStateException("the comment holding " + marker + " has no <mailet>"));
            for (Node node : parse(text.substring(start, text.lastIndexOf('>') + 1))) {
                element.insertBefore(node, comment);
            }
            element.removeChild(comment);
            return mailetOfClass(className);
        }

        private Mailet only(String what, Predicate<Element> test) {
            List<Element> found = children(element, "mailet").stream().filter(test).toList();
            if (found.size() != 1) {
                throw new IllegalStateException("processor \"" + state() + "\" has " + found.size() + " mailets with "
                    + what + " (expected one); its mailets: " + describe());
            }
            return new Mailet(found.get(0));
        }

        private String state() {
            return element.getAttribute("state");
        }

        private String describe() {
            List<String> mailets = new ArrayList<>();
            for (Element mailet : children(element, "mailet")) {
                mailets.add(mailet.getAttribute("match") + " " + mailet.getAttribute("class"));
            }
            return mailets.toString();
        }
    }

    /** One {@code <mailet>} element. */
    public final class Mailet {
        private final Element element;

        private Mailet(Element element) {
            this.element = element;
        }

        /** Inserts these elements ({@code <mailet>}, {@code <matcher>}, comments) just before this mailet. */
        public Mailet insertBefore(String xml) {
            for (Node node : parse(xml)) {
                element.getParentNode().insertBefore(node, element);
            }
            return this;
        }

        /** Inserts these elements just after this mailet, in the order given. */
        public Mailet insertAfter(String xml) {
            Node next = element.getNextSibling();
            for (Node node : parse(xml)) {
                element.getParentNode().insertBefore(node, next);
            }
            return this;
        }

        /** Replaces the {@code match} attribute. */
        public Mailet matcher(String match) {
            element.setAttribute("match", match);
            return this;
        }

        /** Sets the value of the only {@code <name>} parameter of this mailet, or adds it. */
        public Mailet parameter(String name, String value) {
            List<Element> parameters = children(element, name);
            if (parameters.size() > 1) {
                throw new IllegalStateException("mailet " + element.getAttribute("class") + " has " + parameters.size()
                    + " <" + name + "> parameters");
            }
            Element parameter = parameters.isEmpty()
                ? (Element) element.appendChild(document.createElement(name))
                : parameters.get(0);
            parameter.setTextContent(value);
            return this;
        }
    }

    /** Parses a fragment of pipeline XML into nodes of this document, ready to be inserted. */
    private List<Node> parse(String xml) {
        Document fragment;
        try {
            fragment = builder().parse(new InputSource(new StringReader("<fragment>" + xml + "</fragment>")));
        } catch (SAXException | IOException e) {
            throw new IllegalArgumentException("not well-formed pipeline XML: " + xml, e);
        }
        List<Node> nodes = new ArrayList<>();
        for (Node node = fragment.getDocumentElement().getFirstChild(); node != null; node = node.getNextSibling()) {
            nodes.add(document.importNode(node, true));
        }
        return nodes;
    }

    private Element onlyChild(Element parent, String tag) {
        List<Element> found = children(parent, tag);
        if (found.size() != 1) {
            throw new IllegalStateException("<" + parent.getTagName() + "> has " + found.size() + " <" + tag
                + "> elements in " + file + " (expected one)");
        }
        return found.get(0);
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> found = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element child && child.getTagName().equals(tag)) {
                found.add(child);
            }
        }
        return found;
    }

    private static DocumentBuilder builder() {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }
}
