// Opens RDF files the way Protégé does (the OWL API 5, Debian's libowlapi-java) and reports what Protégé would
// complain about: unparsed triples, unresolved imports and OWL 2 DL profile violations. Exit 1 if any.
// Usage: java -cp ... OwlCheck [--catalog catalog-v001.xml] FILE
import java.io.File;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.model.parameters.Imports;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.util.SimpleIRIMapper;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public class OwlCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        String file = args[args.length - 1];
        if (args.length == 3 && args[0].equals("--catalog")) {
            File catalog = new File(args[1]);
            NodeList uris = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(catalog).getElementsByTagName("uri");
            for (int i = 0; i < uris.getLength(); i++) {
                Element uri = (Element) uris.item(i);
                File target = new File(catalog.getParentFile(), uri.getAttribute("uri"));
                manager.getIRIMappers().add(new SimpleIRIMapper(IRI.create(uri.getAttribute("name")), IRI.create(target)));
            }
        }
        manager.setOntologyLoaderConfiguration(manager.getOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.THROW_EXCEPTION));
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(file));
        int problems = 0;
        OWLDocumentFormat format = manager.getOntologyFormat(ontology);
        if (format != null && format.getOntologyLoaderMetaData().isPresent()) {
            for (Object t : format.getOntologyLoaderMetaData().get().getUnparsedTriples().toArray()) {
                System.out.println("unparsed triple: " + t);
                problems++;
            }
        }
        List<OWLProfileViolation> violations = new OWL2DLProfile().checkOntology(ontology).getViolations();
        for (OWLProfileViolation v : violations) {
            System.out.println("OWL 2 DL: " + v);
            problems++;
        }
        System.out.println("axioms " + ontology.getAxiomCount(Imports.INCLUDED) + " individuals "
                + ontology.getIndividualsInSignature(Imports.INCLUDED).size() + " imports " + ontology.getImports().size()
                + " problems " + problems);
        System.exit(problems == 0 ? 0 : 1);
    }
}
