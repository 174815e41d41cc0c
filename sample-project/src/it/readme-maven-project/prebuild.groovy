// Writes pom.xml: the first ```xml block of the README's "Using tfloop in a Maven project"
// section, byte for byte, so that the README and this test cannot drift apart. Fails if the
// README names another tfloop version than the build's.
def text = new File(readme).getText('UTF-8')
def section = text.split(/(?m)^## /).find { it.startsWith('Using tfloop in a Maven project') }
assert section != null: "README.md ($readme) has no section '## Using tfloop in a Maven project'"
def matcher = section =~ /(?s)```xml\n(.*?)```/
assert matcher.find(): "the README's Maven section has no ```xml block"
def pom = matcher.group(1)
assert pom.contains("<tfloop.version>$tfloopVersion</tfloop.version>"):
    "the README's pom.xml must name tfloop $tfloopVersion (the version this build makes)"
new File(basedir, 'pom.xml').setText(pom, 'UTF-8')
println "pom.xml written from ${readme} (${pom.readLines().size()} lines)"

// The README's first example, compiled as a reader would paste it: its annotated class
// (FashionMlp) with the imports it needs, and the calls that follow it in a method whose
// parameters are the batch it uses (run by nothing: it reads the full Fashion-MNIST set).
def blocks = (text =~ /(?s)```java\n(.*?)```/).collect { it[1] }
assert blocks.size() >= 2: "the README has fewer than two ```java blocks"
assert blocks[0].contains('public class FashionMlp'): "the README's first ```java block is not FashionMlp"
def imports = '''package com.example;

import io.github.tfloop.annotations.*;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.IdxFile;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.monitor.ConsoleLogger;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import java.nio.file.Path;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

'''
def sources = new File(basedir, 'src/main/java/com/example')
new File(sources, 'FashionMlp.java').setText(imports + blocks[0], 'UTF-8')
new File(sources, 'ReadmeFirstExample.java').setText(imports + '''/** The README's first example's calls, compiled against the generated FashionMlpLoop. */
final class ReadmeFirstExample {
  private ReadmeFirstExample() {}

  static void run(float[] images, int[] labels) throws Exception {
''' + blocks[1].readLines().collect { '    ' + it }.join('\n') + '''
  }
}
''', 'UTF-8')
println "FashionMlp.java and ReadmeFirstExample.java written from the README's first example"
return true
