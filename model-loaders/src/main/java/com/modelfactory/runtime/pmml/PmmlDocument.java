package com.modelfactory.runtime.pmml;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads a PMML file once with the JDK's StAX parser before PMML4S sees it, so a broken document stops
 * start-up naming the line, and a model element PMML4S cannot evaluate is named with its line rather than
 * failing later. A DOCTYPE is refused: PMML needs none, and PMML4S's own XML reader would follow external
 * entities.
 */
final class PmmlDocument {
    /** The PMML 4.4 model elements PMML4S 0.9 evaluates. */
    static final Set<String> SUPPORTED = Set.of("AnomalyDetectionModel", "AssociationModel", "ClusteringModel",
            "GeneralRegressionModel", "MiningModel", "NaiveBayesModel", "NearestNeighborModel", "NeuralNetwork",
            "RegressionModel", "RuleSetModel", "Scorecard", "SupportVectorMachineModel", "TreeModel");
    /** PMML 4.4 model elements PMML4S does not evaluate. */
    static final Set<String> UNSUPPORTED = Set.of("BaselineModel", "BayesianNetworkModel", "GaussianProcessModel",
            "SequenceModel", "TextModel", "TimeSeriesModel");

    private PmmlDocument() {
    }

    /** @return the model element's name; throws naming the line when the document cannot be served */
    static String check(Path file) throws ModelLoadException {
        try {
            return check(file.getFileName().toString(), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@link #check(Path)} of a document in memory; {@code where} names it in messages. */
    static String check(String where, byte[] document) throws ModelLoadException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        try (InputStream in = new java.io.ByteArrayInputStream(document)) {
            XMLStreamReader r = factory.createXMLStreamReader(in);
            int depth = 0;
            String model = null;
            while (r.hasNext()) {
                int event = r.next();
                if (event == XMLStreamConstants.DTD) {
                    throw new ModelLoadException(where + " line " + r.getLocation().getLineNumber()
                            + ": a DOCTYPE in a PMML document is not accepted (PMML needs none; entities could read "
                            + "files)");
                }
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    String name = r.getLocalName();
                    int line = r.getLocation().getLineNumber();
                    if (depth == 1 && !name.equals("PMML")) {
                        throw new ModelLoadException(where + " line " + line + ": the root element is <" + name
                                + ">, not <PMML>");
                    }
                    if (depth == 2 && UNSUPPORTED.contains(name)) {
                        throw new ModelLoadException(where + " line " + line + ": <" + name + "> is a PMML model type "
                                + "this runtime does not evaluate; supported: " + new java.util.TreeSet<>(SUPPORTED));
                    }
                    if (depth == 2 && SUPPORTED.contains(name) && model == null) {
                        model = name;
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    depth--;
                }
            }
            if (model == null) {
                throw new ModelLoadException(where + ": the PMML document holds no model element (one of "
                        + new java.util.TreeSet<>(SUPPORTED) + ")");
            }
            return model;
        } catch (XMLStreamException e) {
            var at = e.getLocation();
            throw new ModelLoadException(where + (at != null ? " line " + at.getLineNumber() + " column "
                    + at.getColumnNumber() : "") + ": the PMML document is not well-formed XML: "
                    + e.getMessage().replaceFirst("(?s)^ParseError at \\[row,col\\]:\\[\\d+,\\d+\\]\\s*Message:\\s*", ""),
                    e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + where + ": " + e.getMessage(), e);
        }
    }
}
