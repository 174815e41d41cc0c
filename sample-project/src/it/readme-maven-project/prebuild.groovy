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
return true
