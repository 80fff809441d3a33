package org.switchboard.server.mailetcontainer;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.junit.jupiter.api.Test;

class DirectoryDomainPostmasterTest {
    private static HierarchicalConfiguration<ImmutableNode> context(String postmaster) {
        BaseHierarchicalConfiguration context = new BaseHierarchicalConfiguration();
        if (postmaster != null) {
            context.setProperty("postmaster", postmaster);
        }
        context.setProperty("other", "kept");
        return context;
    }

    @Test
    void aNameGetsTheDirectoryDomain() {
        HierarchicalConfiguration<ImmutableNode> original = context("postmaster");

        HierarchicalConfiguration<ImmutableNode> completed =
            DirectoryDomainPostmaster.withPostmasterDomain(original, "example.com");

        assertThat(completed.getString("postmaster")).isEqualTo("postmaster@example.com");
        assertThat(completed.getString("other")).isEqualTo("kept");
        assertThat(original.getString("postmaster")).as("the file's configuration is left as it is")
            .isEqualTo("postmaster");
    }

    @Test
    void withoutPostmasterItIsJamesDefaultNameAtTheDirectoryDomain() {
        assertThat(DirectoryDomainPostmaster.withPostmasterDomain(context(null), "example.com").getString("postmaster"))
            .isEqualTo("postmaster@example.com");
    }

    @Test
    void anotherNameGetsTheDirectoryDomainToo() {
        assertThat(DirectoryDomainPostmaster.withPostmasterDomain(context(" hostmaster "), "example.org")
            .getString("postmaster")).isEqualTo("hostmaster@example.org");
    }

    @Test
    void aWholeAddressIsTakenAsItIs() {
        HierarchicalConfiguration<ImmutableNode> original = context("admin@elsewhere.example");

        assertThat(DirectoryDomainPostmaster.withPostmasterDomain(original, "example.com").getString("postmaster"))
            .isEqualTo("admin@elsewhere.example");
    }
}
