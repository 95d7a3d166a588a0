package com.modelfactory.runtime.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's architecture as rules: front ends (http, grpc, batch) reach the model only through the
 * serving core, the serving core never knows a front end, no package of the server knows an engine
 * implementation (only the seam), packages form no cycle, and the top level holds Main alone.
 */
class LayeringTest {
    private static final String ROOT = "com.modelfactory.runtime";
    private static JavaClasses server;

    @BeforeAll
    static void importServer() {
        server = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("/model-loaders/"))
                .importPackages(ROOT);
        // The rules must see the server, not an empty set (a wrong import option would pass them all).
        org.junit.jupiter.api.Assertions.assertTrue(server.containPackage(ROOT + ".serving")
                && server.containPackage(ROOT + ".http") && !server.containPackage(ROOT + ".onnx"), server.toString());
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(server);
    }

    @Test
    void nothingInTheServerKnowsAnEngineImplementation() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(ROOT + ".onnx..", ROOT + ".torch..",
                ROOT + ".tensorflow..", ROOT + ".keras..").check(server);
    }

    @Test
    void frontEndsReachTheModelOnlyThroughTheServingCore() {
        noClasses().that().resideInAnyPackage(ROOT + ".http..", ROOT + ".grpc..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".batching..", ROOT + ".image..",
                        ROOT + ".startup..", ROOT + ".lifecycle..", ROOT + ".fetch..", ROOT + ".format..")
                .check(server);
    }

    @Test
    void theServingCoreKnowsNoFrontEnd() {
        noClasses().that().resideInAnyPackage(ROOT + ".serving..", ROOT + ".batching..", ROOT + ".image..",
                        ROOT + ".error..", ROOT + ".config..", ROOT + ".metrics..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".http..", ROOT + ".grpc..",
                        ROOT + ".batch..", ROOT + ".lifecycle..", ROOT + ".startup..")
                .check(server);
    }

    /** What turns tensors into answers sits between the core and the front ends, knowing neither side's above. */
    @Test
    void theAnswerPackageKnowsNoFrontEndAndNoServingCore() {
        noClasses().that().resideInAPackage(ROOT + ".answer..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".http..", ROOT + ".grpc..", ROOT + ".batch..",
                        ROOT + ".serving..", ROOT + ".batching..", ROOT + ".lifecycle..", ROOT + ".startup..")
                .check(server);
    }

    @Test
    void theTopLevelHoldsMainOnly() {
        classes().that().resideInAPackage(ROOT).should().haveSimpleNameStartingWith("Main").check(server);
    }
}
