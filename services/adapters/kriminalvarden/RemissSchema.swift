// The schema Kriminalvården documents are validated against, compiled into the adapter so
// that `hub run adapter-kriminalvarden` needs no file beside the binary. It must equal
// docs/kriminalvarden-remiss.xsd byte for byte (a test checks): change both together.
enum RemissSchema {
    static let xsd = #"""
<?xml version="1.0" encoding="UTF-8"?>
<!-- Kriminalvården → Utväg Hub: one referral ("Remiss") per file, UTF-8, no DTD.
     Answers (Kvitto, Status, Fel, Meddelande) use the same namespace. See docs/adapters.md. -->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="urn:utvag:kriminalvarden:remiss:1"
           xmlns="urn:utvag:kriminalvarden:remiss:1"
           elementFormDefault="qualified">

  <xs:simpleType name="Text200"><xs:restriction base="xs:string"><xs:maxLength value="200"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Referens"><xs:restriction base="xs:string"><xs:minLength value="1"/><xs:maxLength value="100"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Identitetsnummer">
    <xs:restriction base="xs:string"><xs:pattern value="(\d{2})?\d{6}[-+]?\d{4}"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="Kategori">
    <xs:restriction base="xs:string">
      <xs:enumeration value="subjected-to-violence"/><xs:enumeration value="used-violence"/>
      <xs:enumeration value="child-witness"/><xs:enumeration value="young-adult"/><xs:enumeration value="not-stated"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="Insats">
    <xs:restriction base="xs:string">
      <xs:enumeration value="individual-talks"/><xs:enumeration value="womens-group"/><xs:enumeration value="non-violence-group"/>
      <xs:enumeration value="young-adults-group"/><xs:enumeration value="child-parent-group"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="Bradska">
    <xs:restriction base="xs:string"><xs:enumeration value="normal"/><xs:enumeration value="hög"/><xs:enumeration value="akut"/></xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Riskvar">
    <xs:restriction base="xs:string"><xs:enumeration value="yes"/><xs:enumeration value="no"/><xs:enumeration value="unknown"/></xs:restriction>
  </xs:simpleType>

  <xs:element name="Remiss">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Referens" type="Referens"/>
        <xs:element name="Enhet" type="Text200" minOccurs="0"/>
        <xs:element name="Handlaggare" minOccurs="0">
          <xs:complexType><xs:sequence>
            <xs:element name="Namn" type="Text200" minOccurs="0"/>
            <xs:element name="Telefon" type="Text200" minOccurs="0"/>
            <xs:element name="Epost" type="Text200" minOccurs="0"/>
          </xs:sequence></xs:complexType>
        </xs:element>
        <xs:element name="Kommun" type="Text200"/>
        <xs:element name="Kategori" type="Kategori" minOccurs="0"/>
        <xs:element name="Insatser" minOccurs="0">
          <xs:complexType><xs:sequence><xs:element name="Insats" type="Insats" maxOccurs="5"/></xs:sequence></xs:complexType>
        </xs:element>
        <xs:element name="Klient">
          <xs:complexType><xs:sequence>
            <xs:choice minOccurs="0">
              <xs:element name="Personnummer" type="Identitetsnummer"/>
              <xs:element name="Samordningsnummer" type="Identitetsnummer"/>
            </xs:choice>
            <xs:element name="Namn" type="Text200" minOccurs="0"/>
            <xs:element name="SkyddadIdentitet" type="xs:boolean" minOccurs="0"/>
            <xs:element name="Telefon" type="Text200" minOccurs="0"/>
            <xs:element name="Epost" type="Text200" minOccurs="0"/>
            <xs:element name="Adress" type="Text200" minOccurs="0"/>
            <xs:element name="Tolk" type="Text200" minOccurs="0"/>
            <xs:element name="BarnensAldrar" minOccurs="0">
              <xs:complexType><xs:sequence>
                <xs:element name="Alder" maxOccurs="20"><xs:simpleType><xs:restriction base="xs:integer"><xs:minInclusive value="0"/><xs:maxInclusive value="17"/></xs:restriction></xs:simpleType></xs:element>
              </xs:sequence></xs:complexType>
            </xs:element>
          </xs:sequence></xs:complexType>
        </xs:element>
        <xs:element name="SakerKontakt" minOccurs="0">
          <xs:complexType>
            <xs:sequence><xs:element name="Ringtider" type="Text200" minOccurs="0"/></xs:sequence>
            <xs:attribute name="kontaktaInte" type="xs:boolean" default="false"/>
            <xs:attribute name="farRinga" type="xs:boolean" default="false"/>
            <xs:attribute name="farLamnaMeddelande" type="xs:boolean" default="false"/>
          </xs:complexType>
        </xs:element>
        <xs:element name="Samtycke">
          <xs:complexType>
            <xs:attribute name="givet" type="xs:boolean" use="required"/>
            <xs:attribute name="datum" type="xs:date"/>
            <xs:attribute name="registreratAv" type="Text200"/>
          </xs:complexType>
        </xs:element>
        <xs:element name="Bradska" type="Bradska" minOccurs="0"/>
        <xs:element name="Riskbedomning" minOccurs="0">
          <xs:complexType><xs:sequence>
            <xs:element name="Svar" maxOccurs="30">
              <xs:complexType><xs:simpleContent><xs:extension base="Riskvar">
                <xs:attribute name="fraga" type="xs:string" use="required"/>
              </xs:extension></xs:simpleContent></xs:complexType>
            </xs:element>
          </xs:sequence></xs:complexType>
        </xs:element>
        <xs:element name="Anteckningar" minOccurs="0">
          <xs:simpleType><xs:restriction base="xs:string"><xs:maxLength value="2000"/></xs:restriction></xs:simpleType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>

  <!-- Answers written by the adapter -->
  <xs:element name="Kvitto">
    <xs:complexType><xs:sequence>
      <xs:element name="Referens" type="xs:string"/>
      <xs:element name="MeddelandeId" type="xs:string"/>
      <xs:element name="Status"><xs:simpleType><xs:restriction base="xs:string">
        <xs:enumeration value="mottagen"/><xs:enumeration value="skickad"/><xs:enumeration value="avvisad"/>
      </xs:restriction></xs:simpleType></xs:element>
      <xs:element name="Tid" type="xs:string" minOccurs="0"/>
      <xs:element name="HanvisningsId" type="xs:string" minOccurs="0"/>
      <xs:element name="Fel" minOccurs="0">
        <xs:complexType><xs:simpleContent><xs:extension base="xs:string">
          <xs:attribute name="kod" type="xs:string" use="required"/>
          <xs:attribute name="element" type="xs:string"/>
        </xs:extension></xs:simpleContent></xs:complexType>
      </xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
  <xs:element name="Status">
    <xs:complexType><xs:sequence>
      <xs:element name="Referens" type="xs:string" minOccurs="0"/>
      <xs:element name="HanvisningsId" type="xs:string"/>
      <xs:element name="Status" type="xs:string"/>
      <xs:element name="Tid" type="xs:string"/>
      <xs:element name="Orsak" type="xs:string" minOccurs="0"/>
      <xs:element name="Kommentar" type="xs:string" minOccurs="0"/>
      <xs:element name="Grupp" type="xs:string" minOccurs="0"/>
    </xs:sequence></xs:complexType>
  </xs:element>
  <xs:element name="Fel">
    <xs:complexType><xs:sequence>
      <xs:element name="Fil" type="xs:string"/>
      <xs:element name="Kod" type="xs:string"/>
      <xs:element name="Element" type="xs:string" minOccurs="0"/>
      <xs:element name="Meddelande" type="xs:string"/>
    </xs:sequence></xs:complexType>
  </xs:element>
  <xs:complexType name="Falt" mixed="true">
    <xs:sequence><xs:choice minOccurs="0" maxOccurs="unbounded">
      <xs:element name="Falt" type="Falt"/><xs:element name="Post" type="Falt"/>
    </xs:choice></xs:sequence>
    <xs:attribute name="namn" type="xs:string"/>
  </xs:complexType>
  <xs:element name="Meddelande">
    <xs:complexType mixed="true">
      <xs:sequence><xs:choice minOccurs="0" maxOccurs="unbounded">
        <xs:element name="Falt" type="Falt"/><xs:element name="Post" type="Falt"/>
      </xs:choice></xs:sequence>
      <xs:attribute name="typ" type="xs:string" use="required"/>
      <xs:attribute name="amne" type="xs:string" use="required"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""#
}
